/**
 * Who may do what in the accounts service: the one table the resolvers' guard and the tests
 * read. Roles are those of the access token: `CUSTOMER` (owner) and `USER` (member) of the
 * token's organization. `ADMIN` (platform operator) gets no powers from that role: inside the
 * organization of its token it is its membership (the token carries the membership's scopes;
 * an owner's include `admin`), and in other tenants it only has the audited `admin*`
 * operations with a reason (guarded by @PlatformAdminOperation, not by this table). API tokens
 * (servers) may only read their organization.
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
  | { kind: 'user'; role: 'ADMIN' | 'CUSTOMER' | 'USER'; scopes?: readonly string[] }
  | { kind: 'api_token' | 'device' | 'service' };

type Who = 'CUSTOMER' | 'USER' | 'API_TOKEN';

export const ROLE_RULES: Readonly<Record<Operation, readonly Who[]>> = Object.freeze({
  'me.read': ['CUSTOMER', 'USER'],
  'session.manage': ['CUSTOMER', 'USER'],
  'organization.read': ['CUSTOMER', 'USER', 'API_TOKEN'],
  'organizations.mine': ['CUSTOMER', 'USER'],
  'organization.update': ['CUSTOMER'],
  'organization.close': ['CUSTOMER'],
  'members.read': ['CUSTOMER', 'USER'],
  'members.manage': ['CUSTOMER'],
  'members.leave': ['CUSTOMER', 'USER'],
  'apiTokens.manage': ['CUSTOMER'],
});

/**
 * The membership a platform admin's token stands for, read from the scopes the issuer gave it
 * (its membership's): an owner holds `admin`, a member the messaging scopes; none, nothing.
 */
export function membershipOfAdmin(scopes: readonly string[] = []): 'CUSTOMER' | 'USER' | undefined {
  if (scopes.includes('admin')) return 'CUSTOMER';
  return scopes.length > 0 ? 'USER' : undefined;
}

/** The caller of a principal (libs/auth's shape): a user by role and scopes, else its kind. */
export function callerOf(principal: {
  kind: 'user' | 'api_token' | 'device' | 'service';
  role?: string;
  scopes?: readonly string[];
}): Caller {
  if (principal.kind !== 'user') return { kind: principal.kind };
  return {
    kind: 'user',
    role: principal.role as 'ADMIN' | 'CUSTOMER' | 'USER',
    scopes: principal.scopes,
  };
}

function whoIs(caller: Caller): Who | undefined {
  if (caller.kind === 'user')
    return caller.role === 'ADMIN' ? membershipOfAdmin(caller.scopes) : caller.role;
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
