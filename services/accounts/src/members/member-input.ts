import { AccountsErrorCode, AccountsException } from '../common/accounts.exception';
import { MEMBER_ROLES, type MemberRole } from '../domain/role-rules';

/** A membership role from input, or INVALID_INPUT. */
export function validRole(role: string): MemberRole {
  if (!(MEMBER_ROLES as readonly string[]).includes(role)) {
    throw new AccountsException(AccountsErrorCode.INVALID_INPUT, 'Role must be CUSTOMER or USER');
  }
  return role as MemberRole;
}
