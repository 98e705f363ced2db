import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { ApiTokenRecord } from './api-token.record';

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
