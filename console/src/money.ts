/** Formats integer minor units given as a decimal string (billing's BillingMoney) exactly. */
export function formatMoney(
  money: { currencyCode: string; amountMinor: string },
  locale?: string,
): string {
  const minor = BigInt(money.amountMinor);
  const digits =
    new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: money.currencyCode,
    }).resolvedOptions().maximumFractionDigits ?? 2;
  const scale = 10n ** BigInt(digits);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const whole = abs / scale;
  const fraction = (abs % scale).toString().padStart(digits, '0');
  // Intl formats the whole part (grouping, symbol); the fraction is appended exactly.
  const parts = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currencyCode,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).formatToParts(whole);
  const text = parts.map((p) => (p.type === 'fraction' ? fraction : p.value)).join('');
  return negative ? `-${text}` : text;
}

/** Digits after the decimal point of a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currencyCode: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency: currencyCode }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/**
 * A typed amount ("25", "25.5", "1,000.00") in a currency's minor units as a decimal string
 * (billing's `amountMinor`), exactly: no floating point. Null when it is not a positive amount
 * with at most the currency's digits.
 */
export function toMinorUnits(text: string, currencyCode: string): string | null {
  const digits = currencyDigits(currencyCode);
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim().replace(/,/g, ''));
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const minor =
    BigInt(match[1]) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
  return minor > 0n ? minor.toString() : null;
}
