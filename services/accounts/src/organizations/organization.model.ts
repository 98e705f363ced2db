import { Directive, Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { OrganizationRecord } from './organization.record';

export enum OrganizationStatusEnum {
  ACTIVE = 'ACTIVE',
  PENDING_DELETION = 'PENDING_DELETION',
  DELETED = 'DELETED',
}
registerEnumType(OrganizationStatusEnum, { name: 'OrganizationStatus' });

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
