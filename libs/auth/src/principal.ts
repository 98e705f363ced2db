import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { TokenRejection } from './token-rejection';

/** `ADMIN` operates the platform (across tenants), `CUSTOMER` owns an organization, `USER` is a member. */
export const ROLES = ['ADMIN', 'CUSTOMER', 'USER'] as const;
export type Role = (typeof ROLES)[number];

/** What a token may do inside its organization. `admin` (org admin) implies every other scope. */
export const SCOPES = [
  'messages:send',
  'messages:read',
  'devices:read',
  'devices:manage',
  'contacts:write',
  'billing:read',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

/** The `typ` claim of an access token: who is calling. */
export const PRINCIPAL_KINDS = ['user', 'api_token', 'service', 'device'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/**
 * The scopes a signed-in user has by role. Members do not manage the device fleet or see
 * billing; the owner grants nothing finer, so changing a member's powers means changing this
 * table. `ADMIN` (the platform operator) has no tenant powers by that role: inside an
 * organization it has only its membership's scopes, which the issuer writes in the token's
 * `scope` claim (see memberScopeBound), and it reaches other tenants only through the audited
 * `@PlatformAdminOperation`s with a reason.
 */
export const scopesOfRole: Readonly<Record<Role, readonly Scope[]>> = Object.freeze({
  ADMIN: Object.freeze([] as Scope[]),
  CUSTOMER: Object.freeze([...SCOPES]),
  USER: Object.freeze([
    'messages:send',
    'messages:read',
    'devices:read',
    'contacts:write',
  ] as Scope[]),
});

/** A person signed in through the accounts service (a session). */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly userId: string;
  readonly orgId: string;
  readonly role: Role;
  readonly scopes: readonly Scope[];
  readonly sessionId: string;
  /** The access token's `jti`. */
  readonly tokenId: string;
}

/** A server of a customer calling with an API token (exchanged for an access token). */
export interface ApiTokenPrincipal {
  readonly kind: 'api_token';
  /** The API token's id (`sub`): what its last use and usage counts are recorded against. */
  readonly tokenId: string;
  readonly orgId: string;
  readonly scopes: readonly Scope[];
  /** The role of the user who created it; bounds its scopes. */
  readonly role: 'USER' | 'CUSTOMER';
}

/** An Android gateway phone of an organization. Devices have no scopes. */
export interface DevicePrincipal {
  readonly kind: 'device';
  readonly deviceId: string;
  readonly orgId: string;
}

/** Another Switchboard component; belongs to no organization. */
export interface ServicePrincipal {
  readonly kind: 'service';
  readonly service: string;
  readonly scopes: readonly Scope[];
}

export type Principal = UserPrincipal | ApiTokenPrincipal | DevicePrincipal | ServicePrincipal;

/** The claims of an access token issued by the accounts service. */
export interface AccessTokenClaims {
  iss: string;
  aud: string | string[];
  sub: string;
  /** Organization uuid; absent only for `service` principals. */
  org?: string;
  role?: Role;
  /** Space-separated scopes. */
  scope?: string;
  /** Session id (user tokens). */
  sid?: string;
  jti: string;
  typ: PrincipalKind;
  iat: number;
  exp: number;
  nbf?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function includes<T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}

function badClaims(detail: string): TokenRejection {
  return new TokenRejection('bad_claims', detail);
}

function text(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value.trim() === '') throw badClaims(`claim ${name} missing`);
  return value;
}

function org(claims: Record<string, unknown>): string {
  const value = claims.org;
  if (typeof value !== 'string' || !UUID.test(value)) throw badClaims('claim org is not a uuid');
  return value.toLowerCase();
}

/** Known scopes of a `scope` claim; unknown ones (from a newer issuer) are ignored. */
function scopesOf(claims: Record<string, unknown>): Scope[] | undefined {
  const value = claims.scope;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badClaims('claim scope is not a string');
  return [...new Set(value.split(' ').filter((s): s is Scope => includes(SCOPES, s)))];
}

const within = (granted: readonly Scope[], bound: readonly Scope[]) =>
  granted.filter((scope) => bound.includes(scope));

/**
 * The most a user token's `scope` claim may grant: its role's scopes; for ADMIN a membership's
 * at most (the owner's), since an admin's token carries the scopes of its membership.
 */
export function memberScopeBound(role: Role): readonly Scope[] {
  return role === 'ADMIN' ? scopesOfRole.CUSTOMER : scopesOfRole[role];
}

/**
 * Maps verified claims to a principal, or throws a `bad_claims` TokenRejection. A user has
 * the scopes of its role (a `scope` claim can only narrow them; an ADMIN has those of its
 * membership, named by the claim, none without one); an API token has the scopes its claim
 * names, bounded by its creator's role.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const kind = claims.typ;
  if (!includes(PRINCIPAL_KINDS, kind)) throw badClaims('unknown principal kind');
  const sub = text(claims, 'sub');
  switch (kind) {
    case 'user': {
      const role = claims.role;
      if (!includes(ROLES, role)) throw badClaims('claim role invalid');
      const narrowed = scopesOf(claims);
      return Object.freeze({
        kind,
        userId: sub,
        orgId: org(claims),
        role,
        scopes: Object.freeze(
          narrowed ? within(narrowed, memberScopeBound(role)) : scopesOfRole[role],
        ),
        sessionId: text(claims, 'sid'),
        tokenId: text(claims, 'jti'),
      });
    }
    case 'api_token': {
      const role = claims.role;
      if (role !== 'USER' && role !== 'CUSTOMER') throw badClaims('claim role invalid');
      return Object.freeze({
        kind,
        tokenId: sub,
        orgId: org(claims),
        scopes: Object.freeze(within(scopesOf(claims) ?? [], scopesOfRole[role])),
        role,
      });
    }
    case 'device':
      return Object.freeze({ kind, deviceId: sub, orgId: org(claims) });
    case 'service':
      return Object.freeze({ kind, service: sub, scopes: Object.freeze(scopesOf(claims) ?? []) });
  }
}

/** Scopes that come with another: whoever manages the fleet may read it. */
const IMPLIED_BY: Partial<Record<Scope, Scope>> = { 'devices:read': 'devices:manage' };

/** The scopes that grant `scope` besides itself: `admin`, and any that implies it. */
export function scopesImplying(scope: Scope): Scope[] {
  const implying = IMPLIED_BY[scope];
  return implying ? ['admin', implying] : ['admin'];
}

/**
 * Whether the principal holds `scope`; `admin` implies every scope, `devices:manage` implies
 * `devices:read`. Devices hold none.
 */
export function hasScope(principal: Principal, scope: Scope): boolean {
  if (principal.kind === 'device') return false;
  const implying = IMPLIED_BY[scope];
  return (
    principal.scopes.includes(scope) ||
    principal.scopes.includes('admin') ||
    (implying !== undefined && principal.scopes.includes(implying))
  );
}

/** The principal's organization, or TENANT_REQUIRED (a service token belongs to none). */
export function requireOrg(principal: Principal): string {
  if (principal.kind === 'service') {
    throw new CommonException(
      CommonErrorCode.TENANT_REQUIRED,
      'This operation needs an organization',
    );
  }
  return principal.orgId;
}

/** The id the principal is known by (for audit entries and logs). */
export function principalId(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return principal.userId;
    case 'api_token':
      return principal.tokenId;
    case 'device':
      return principal.deviceId;
    case 'service':
      return principal.service;
  }
}
