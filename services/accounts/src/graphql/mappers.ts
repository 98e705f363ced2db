import type { ApiTokenRecord } from '../api-tokens/api-tokens.service';
import type { UserRecord } from '../identity/users.repository';
import type { InvitationRecord } from '../members/invitations.repository';
import type { MemberRecord } from '../members/memberships.repository';
import type { OrganizationRecord } from '../organizations/organizations.repository';
import type { AuthResult } from '../tokens/sessions.service';
import {
  MemberRoleEnum,
  OrganizationStatusEnum,
  type ApiTokenModel,
  type AuthPayloadModel,
  type InvitationModel,
  type MemberModel,
  type OrganizationModel,
  type UserModel,
} from './models';

export const toUserModel = (u: UserRecord): UserModel => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  emailVerified: Boolean(u.emailVerifiedAt),
  isPlatformAdmin: u.isPlatformAdmin,
  createdAt: u.createdAt,
});

export const toOrganizationModel = (o: OrganizationRecord): OrganizationModel => ({
  id: o.id,
  name: o.name,
  slug: o.slug,
  timezone: o.timezone,
  defaultCountry: o.defaultCountry,
  status: OrganizationStatusEnum[o.status],
  createdAt: o.createdAt,
  closedAt: o.closedAt,
  purgeAt: o.purgeAt,
});

export const toMemberModel = (m: MemberRecord): MemberModel => ({
  user: toUserModel(m.user),
  role: MemberRoleEnum[m.role],
  joinedAt: m.createdAt,
});

export const toAuthPayload = (r: AuthResult): AuthPayloadModel => ({
  accessToken: r.accessToken,
  refreshToken: r.refreshToken,
  expiresIn: r.expiresIn,
  user: toUserModel(r.user),
  organization: toOrganizationModel(r.organization),
});

export const toApiTokenModel = (t: ApiTokenRecord): ApiTokenModel => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: t.scopes,
  createdById: t.createdBy,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
  useCount: t.useCount,
  revokedAt: t.revokedAt,
});

export const toInvitationModel = (i: InvitationRecord): InvitationModel => ({
  id: i.id,
  email: i.email,
  role: MemberRoleEnum[i.role],
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
});
