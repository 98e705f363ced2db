import { Field, InputType } from '@nestjs/graphql';

@InputType()
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => String, { nullable: true }) timezone?: string;
  @Field(() => String, { nullable: true }) defaultCountry?: string;
}
