import { Args, Field, InputType, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { AuthPayloadModel, toAuthPayload } from '../identity/auth-payload.model';
import { Public } from '@switchboard/auth';
import { GoogleSignInService } from './google-sign-in.service';

@ObjectType('GoogleSignInStart')
export class GoogleSignInStartModel {
  @Field(() => String, { description: "Google's authorization URL: send the browser there." })
  url!: string;
  @Field(() => String, {
    description:
      'Keep it (e.g. sessionStorage) and check the callback carries the same state before signInWithGoogle.',
  })
  state!: string;
}

@InputType()
export class GoogleSignInInput {
  @Field(() => String, { description: 'The `code` of the callback.' }) code!: string;
  @Field(() => String, {
    description: 'The `state` of the callback (checked by the web app first).',
  })
  state!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'Existing account: organization to sign in to. New account: slug of its new organization.',
  })
  organizationSlug?: string;
  @Field(() => String, {
    nullable: true,
    description: 'New account only: creates it with an organization of this name.',
  })
  organizationName?: string;
  @Field(() => String, { nullable: true }) timezone?: string;
  @Field(() => String, { nullable: true }) defaultCountry?: string;
}

/** Google sign-in (GOOGLE_SIGN_IN_DISABLED unless configured). */
@Resolver()
export class GoogleSignInResolver {
  constructor(private readonly google: GoogleSignInService) {}

  @Public()
  @Query(() => GoogleSignInStartModel, { description: 'Starts a Google sign-in.' })
  googleSignInUrl(): Promise<GoogleSignInStartModel> {
    return this.google.start();
  }

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description: "Completes a Google sign-in with the callback's code and state.",
  })
  async signInWithGoogle(@Args('input') input: GoogleSignInInput): Promise<AuthPayloadModel> {
    return toAuthPayload(await this.google.complete(input));
  }
}
