import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { OrganizationModel } from './organization.model';
import { toUserModel, UserModel } from '../identity/user.model';
import type { MemberRecord } from './member.record';

export enum MemberRoleEnum {
  CUSTOMER = 'CUSTOMER',
  USER = 'USER',
}
registerEnumType(MemberRoleEnum, {
  name: 'MemberRole',
  description: 'A role inside an organization.',
});

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

export const toMemberModel = (m: MemberRecord): MemberModel => ({
  user: toUserModel(m.user),
  role: MemberRoleEnum[m.role],
  joinedAt: m.createdAt,
});
