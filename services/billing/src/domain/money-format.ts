/**
 * Money for people (mails): integer minor units shown in the currency's own format ("$2.50",
 * "¥300"), the decimal point placed by string, never by dividing floats.
 */
export function formatMoney(currency: string, amountMinor: number, locale = 'en-US'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const sign = amountMinor < 0 ? '-' : '';
  const text = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const decimal = digits > 0 ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return format.format(Number(`${sign}${decimal}`));
}
