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
