import { Field, ID, ObjectType } from '@nestjs/graphql';
import { MemberRoleEnum } from '../organizations/member.model';
import type { InvitationRecord } from './invitation.record';

@ObjectType('Invitation')
export class InvitationModel {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => MemberRoleEnum) role!: MemberRoleEnum;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) expiresAt!: Date;
}

export const toInvitationModel = (i: InvitationRecord): InvitationModel => ({
  id: i.id,
  email: i.email,
  role: MemberRoleEnum[i.role],
  createdAt: i.createdAt,
  expiresAt: i.expiresAt,
});
