import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * The E.164 form of a number given in international format (`+1 (415) 555-0123` →
 * `+14155550123`), or null when it is not a valid number for its country. Opt-outs and consent
 * are per number, so every way of writing one must land on the same key.
 */
export function toE164(input: string): string | null {
  const text = input.trim();
  if (!text.startsWith('+') || text.length > 40 || /[a-z]/i.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text);
  if (!parsed || parsed.ext || !parsed.isValid()) return null;
  return parsed.number;
}
