import {
  Directive,
  Field,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

export enum RoleEnum {
  ADMIN = 'ADMIN',
  CUSTOMER = 'CUSTOMER',
  USER = 'USER',
}
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'ADMIN operates the platform; CUSTOMER owns an organization; USER is a member.',
});

export enum MemberRoleEnum {
  CUSTOMER = 'CUSTOMER',
  USER = 'USER',
}
registerEnumType(MemberRoleEnum, {
  name: 'MemberRole',
  description: 'A role inside an organization.',
});

export enum OrganizationStatusEnum {
  ACTIVE = 'ACTIVE',
  PENDING_DELETION = 'PENDING_DELETION',
  DELETED = 'DELETED',
}
registerEnumType(OrganizationStatusEnum, { name: 'OrganizationStatus' });

@ObjectType('User', { description: 'A person. Other subgraphs reference users by id.' })
@Directive('@key(fields: "id")')
export class UserModel {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => String) displayName!: string;
  @Field(() => Boolean) emailVerified!: boolean;
  @Field(() => Boolean, { description: 'A platform operator (role ADMIN).' })
  isPlatformAdmin!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType('Organization', {
  description: 'A tenant. Other subgraphs reference organizations by id.',
})
@Directive('@key(fields: "id")')
export class OrganizationModel {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'Unique DNS label: the subdomain.' }) slug!: string;
  @Field(() => String, { description: 'IANA time zone.' }) timezone!: string;
  @Field(() => String, {
    description: 'ISO 3166-1 alpha-2 country for national-format phone numbers.',
  })
  defaultCountry!: string;
  @Field(() => OrganizationStatusEnum) status!: OrganizationStatusEnum;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) closedAt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'When a closed organization will be purged.' })
  purgeAt?: Date | null;
}

@ObjectType('Member')
export class MemberModel {
  @Field(() => UserModel) user!: UserModel;
  @Field(() => MemberRoleEnum) role!: MemberRoleEnum;
  @Field(() => Date) joinedAt!: Date;
}

@ObjectType('OrganizationMembership', { description: 'One of my organizations and my role there.' })
export class OrganizationMembershipModel {
  @Field(() => OrganizationModel) organization!: OrganizationModel;
  @Field(() => MemberRoleEnum) role!: MemberRoleEnum;
}

@ObjectType('AuthPayload')
export class AuthPayloadModel {
  @Field(() => String, { description: 'RS256 JWT for `Authorization: Bearer`.' })
  accessToken!: string;
  @Field(() => String, { description: 'Opaque, single use: refreshSession rotates it.' })
  refreshToken!: string;
  @Field(() => Int, { description: 'Seconds until the access token expires.' }) expiresIn!: number;
  @Field(() => UserModel) user!: UserModel;
  @Field(() => OrganizationModel, { description: 'The organization the access token is for.' })
  organization!: OrganizationModel;
}

@ObjectType('ApiToken', {
  description: 'A credential for servers; its secret is shown once, at creation.',
})
export class ApiTokenModel {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'The first characters of the secret, to recognize it.' })
  prefix!: string;
  @Field(() => [String]) scopes!: string[];
  @Field(() => ID, { nullable: true }) createdById?: string | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) expiresAt?: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt?: Date | null;
  @Field(() => Int, { description: 'Exchanges of the token for an access token (see the README).' })
  useCount!: number;
  @Field(() => Date, { nullable: true }) revokedAt?: Date | null;
}

@ObjectType('CreatedApiToken')
export class CreatedApiTokenModel {
  @Field(() => String, { description: 'The secret (`sbk_…`). Shown this once; store it now.' })
  token!: string;
  @Field(() => ApiTokenModel) apiToken!: ApiTokenModel;
}

@ObjectType('Invitation')
export class InvitationModel {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => MemberRoleEnum) role!: MemberRoleEnum;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) expiresAt!: Date;
}

@InputType()
export class SignUpInput {
  @Field(() => String) email!: string;
  @Field(() => String, { description: 'At least 12 characters, not a common password.' })
  password!: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => String) organizationName!: string;
  @Field(() => String, { nullable: true, description: 'Made from the name when omitted.' })
  organizationSlug?: string;
  @Field(() => String, { nullable: true, description: 'IANA time zone; UTC when omitted.' })
  timezone?: string;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2; US when omitted.' })
  defaultCountry?: string;
}

@InputType()
export class LogInInput {
  @Field(() => String) email!: string;
  @Field(() => String) password!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Organization to sign in to; the oldest membership otherwise.',
  })
  organizationSlug?: string;
}

@InputType()
export class AcceptInvitationInput {
  @Field(() => String) token!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Required when the invited email has no account yet.',
  })
  password?: string;
  @Field(() => String, { nullable: true }) displayName?: string;
}

@InputType()
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true }) timezone?: string;
  @Field(() => String, { nullable: true }) defaultCountry?: string;
}
