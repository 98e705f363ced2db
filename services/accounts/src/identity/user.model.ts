import { Directive, Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { UserRecord } from './user.record';

export enum RoleEnum {
  ADMIN = 'ADMIN',
  CUSTOMER = 'CUSTOMER',
  USER = 'USER',
}
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'ADMIN operates the platform; CUSTOMER owns an organization; USER is a member.',
});

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

export const toUserModel = (u: UserRecord): UserModel => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  emailVerified: Boolean(u.emailVerifiedAt),
  isPlatformAdmin: u.isPlatformAdmin,
  createdAt: u.createdAt,
});
