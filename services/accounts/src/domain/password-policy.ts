import { COMMON_PASSWORDS } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 12;
/** bcrypt reads at most 72 bytes; longer passwords would be silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'repetitive' | 'contains_email';

export const passwordProblemMessages: Record<PasswordProblem, string> = {
  too_short: `The password must have at least ${MIN_PASSWORD_LENGTH} characters`,
  too_long: `The password must be at most ${MAX_PASSWORD_BYTES} bytes long`,
  common: 'This password is too common',
  repetitive: 'The password is too repetitive',
  contains_email: 'The password must not contain your email address',
};

/**
 * Why a new password is refused, or undefined. Length counts characters (code points), so
 * passphrases in any script are welcome; the upper bound is bcrypt's.
 */
export function passwordProblem(password: string, email?: string): PasswordProblem | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return 'too_long';
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'common';
  if (new Set(lower).size <= 3) return 'repetitive';
  const local = email?.split('@')[0]?.toLowerCase();
  if (
    email &&
    (lower.includes(email.toLowerCase()) || (local && local.length >= 4 && lower.includes(local)))
  )
    return 'contains_email';
  return undefined;
}
