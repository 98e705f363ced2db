import { Field, InputType } from '@nestjs/graphql';

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
