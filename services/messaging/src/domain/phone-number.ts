import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';

export type NumberCheck =
  { ok: true; e164: string; country: string | null } | { ok: false; reason: string };

/** Whether `code` is an ISO 3166-1 alpha-2 country libphonenumber knows (e.g. `US`). */
export function isKnownCountry(code: string): boolean {
  return isSupportedCountry(code.toUpperCase());
}

/**
 * Parses a phone number as a person would type it and returns its E.164 form. International
 * input (`+44 7911 123456`, `00 44 ...` is not accepted) needs no country; national input
 * (`(415) 555-0123`) is read in `defaultCountry`, the organization's country. The number must
 * be valid for its country by the full metadata (length and number ranges), not merely
 * possible. Short codes are not E.164 and are refused.
 */
export function normalizePhoneNumber(input: string, defaultCountry: string): NumberCheck {
  const text = input.trim();
  if (!text) return { ok: false, reason: 'empty' };
  if (text.length > 40) return { ok: false, reason: 'too long' };
  if (/[a-z]/i.test(text.replace(/\s*(ext\.?|x)\s*\d+$/i, ''))) {
    return { ok: false, reason: 'letters' };
  }
  const country = isKnownCountry(defaultCountry)
    ? (defaultCountry.toUpperCase() as CountryCode)
    : undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  if (!parsed) return { ok: false, reason: 'not a phone number' };
  if (parsed.ext) return { ok: false, reason: 'extensions cannot receive SMS' };
  if (!parsed.isValid()) return { ok: false, reason: 'not a valid number' };
  return { ok: true, e164: parsed.number, country: parsed.country ?? null };
}

/** The country (ISO 3166 alpha-2) of an E.164 number, null when it has none (or is invalid). */
export function countryOfNumber(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** `+1******0123` as devices report SIM numbers: whether `e164` fits the mask. */
export function matchesMaskedNumber(e164: string, masked: string): boolean {
  if (!masked || masked.length !== e164.length) return false;
  for (let i = 0; i < masked.length; i++) {
    if (masked[i] !== '*' && masked[i] !== e164[i]) return false;
  }
  return true;
}
