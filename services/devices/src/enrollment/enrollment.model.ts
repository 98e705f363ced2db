import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What a user types into the SMSGate app: API URL and token.' })
export class DeviceEnrollment {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'Shown once: the app\'s "Private Token".' }) token!: string;
  @Field(() => String, { description: 'The app\'s "API URL" (Cloud server settings).' })
  apiUrl!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => Int, { description: 'Phones that may register with it (1: single-use).' })
  maxUses!: number;
}

@ObjectType({ description: 'An enrollment token, without its secret.' })
export class DeviceEnrollmentInfo {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) expiresAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Int, { description: 'Phones registered with it.' }) uses!: number;
  @Field(() => Int, { description: 'Phones that may register with it (1: single-use).' })
  maxUses!: number;
}
