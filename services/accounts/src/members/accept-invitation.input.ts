import { Field, InputType } from '@nestjs/graphql';

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
