import { Field, Int, ObjectType } from '@nestjs/graphql';
import { OrganizationModel, toOrganizationModel } from '../organizations/organization.model';
import type { AuthResult } from '../tokens/sessions.service';
import { toUserModel, UserModel } from './user.model';

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

export const toAuthPayload = (r: AuthResult): AuthPayloadModel => ({
  accessToken: r.accessToken,
  refreshToken: r.refreshToken,
  expiresIn: r.expiresIn,
  user: toUserModel(r.user),
  organization: toOrganizationModel(r.organization),
});
