/**
 * Email addresses are compared and stored lower-cased (the local part is case-insensitive at
 * every provider that matters, and users type it both ways). The check is deliberately loose:
 * the verification mail is the real test.
 */
const EMAIL =
  /^[^\s@"<>()[\]\\,;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email);
}
