import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** The E.164 form of an international number ("+" and country code), or null. */
export function toE164(raw: string | null | undefined): string | null {
  const text = raw?.trim();
  if (!text || !text.startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(text);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * A SIM number for display: only the last four characters stay (`+1******0123`, `****0123`).
 * SMSGate already sends SIM fields as `****` + the last four; this keeps whatever arrives in
 * that shape, so a full number never reaches the database.
 */
export function maskNumber(raw: string | null | undefined): string | null {
  const text = raw?.trim();
  if (!text) return null;
  const tail = text.slice(-4);
  const head = text.slice(0, -4);
  const keepPlus = head.startsWith('+') && /^\+\d/.test(text);
  const masked = head.replace(/./g, '*');
  return (keepPlus ? `+${masked.slice(1)}` : masked) + tail;
}
