/**
 * Who may do what in the accounts service: the one table the resolvers' guard and the tests
 * read. Roles are those of the access token: `CUSTOMER` (owner) and `USER` (member) of the
 * token's organization, `ADMIN` (platform operator) — who in the organization of its own token
 * has the owner's powers; in other tenants it only has the audited `admin*` operations (guarded
 * by @PlatformAdminOperation, not by this table). API tokens (servers) may only read their
 * organization.
 */
export type Operation =
  | 'me.read'
  | 'session.manage'
  | 'organization.read'
  | 'organizations.mine'
  | 'organization.update'
  | 'organization.close'
  | 'members.read'
  | 'members.manage'
  | 'members.leave'
  | 'apiTokens.manage';

export type Caller =
  | { kind: 'user'; role: 'ADMIN' | 'CUSTOMER' | 'USER' }
  | { kind: 'api_token' | 'device' | 'service' };

type Who = 'ADMIN' | 'CUSTOMER' | 'USER' | 'API_TOKEN';

export const ROLE_RULES: Readonly<Record<Operation, readonly Who[]>> = Object.freeze({
  'me.read': ['ADMIN', 'CUSTOMER', 'USER'],
  'session.manage': ['ADMIN', 'CUSTOMER', 'USER'],
  'organization.read': ['ADMIN', 'CUSTOMER', 'USER', 'API_TOKEN'],
  'organizations.mine': ['ADMIN', 'CUSTOMER', 'USER'],
  'organization.update': ['ADMIN', 'CUSTOMER'],
  'organization.close': ['ADMIN', 'CUSTOMER'],
  'members.read': ['ADMIN', 'CUSTOMER', 'USER'],
  'members.manage': ['ADMIN', 'CUSTOMER'],
  'members.leave': ['ADMIN', 'CUSTOMER', 'USER'],
  'apiTokens.manage': ['ADMIN', 'CUSTOMER'],
});

function whoIs(caller: Caller): Who | undefined {
  if (caller.kind === 'user') return caller.role;
  if (caller.kind === 'api_token') return 'API_TOKEN';
  return undefined;
}

export function can(caller: Caller, operation: Operation): boolean {
  const who = whoIs(caller);
  return who !== undefined && ROLE_RULES[operation].includes(who);
}

/** Membership roles an owner can give; ADMIN is a platform flag, never a membership. */
export const MEMBER_ROLES = ['CUSTOMER', 'USER'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/**
 * The last owner cannot leave, be removed or be demoted: an organization always has someone
 * who can manage it (and close it).
 */
export function leavesNoOwner(
  owners: number,
  change: { from: MemberRole; to: MemberRole | 'REMOVED' },
): boolean {
  return change.from === 'CUSTOMER' && change.to !== 'CUSTOMER' && owners <= 1;
}
