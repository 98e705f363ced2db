import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { isValidEmail, normalizeEmail } from '../domain/email-address';
import { passwordProblem, passwordProblemMessages } from '../domain/password-policy';

/** An email from input, normalized, or INVALID_EMAIL (the rule: domain/email-address.ts). */
export function validEmail(email: string): string {
  const normalized = normalizeEmail(email ?? '');
  if (!isValidEmail(normalized)) {
    throw new AccountsException(AccountsErrorCode.INVALID_EMAIL, 'Not a valid email address');
  }
  return normalized;
}

/** WEAK_PASSWORD with the problem unless the password passes domain/password-policy.ts. */
export function checkPassword(password: string, email?: string): void {
  const problem = passwordProblem(password ?? '', email);
  if (problem) {
    throw new AccountsException(AccountsErrorCode.WEAK_PASSWORD, passwordProblemMessages[problem], {
      details: { problem },
    });
  }
}
