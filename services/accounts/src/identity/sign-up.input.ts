import { Field, InputType } from '@nestjs/graphql';

@InputType()
export class SignUpInput {
  @Field(() => String) email!: string;
  @Field(() => String, { description: 'At least 12 characters, not a common password.' })
  password!: string;
  @Field(() => String, { nullable: true }) displayName?: string;
  @Field(() => String) organizationName!: string;
  @Field(() => String, { nullable: true, description: 'Made from the name when omitted.' })
  organizationSlug?: string;
  @Field(() => String, { nullable: true, description: 'IANA time zone; UTC when omitted.' })
  timezone?: string;
  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-2; US when omitted.' })
  defaultCountry?: string;
}
