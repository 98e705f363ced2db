/**
 * A phone number written in E.164 as the platform stores and carries it: "+", a country code
 * that does not start with 0, and no more than 15 digits in all (ITU-T E.164), at least 6 (the
 * shortest numbers in service). A check of the form only: whether the number exists or may be
 * texted is the number policy's question (libphonenumber-js, in messaging and compliance).
 */
const E164 = /^\+[1-9]\d{5,14}$/;

/** Whether `value` is a phone number in E.164 form (`isE164('+14155550123')`). */
export function isE164(value: string | null | undefined): value is string {
  return typeof value === 'string' && E164.test(value);
}
