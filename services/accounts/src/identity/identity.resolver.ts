import { Args, Context, Int, Mutation, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { AuthPayloadModel, toAuthPayload } from './auth-payload.model';
import { LogInInput } from './log-in.input';
import { SignUpInput } from './sign-up.input';
import { UserModel, toUserModel } from './user.model';
import { CurrentPrincipal, FederationCaller, Public, type Principal } from '@switchboard/auth';
import { Allow } from '../common/permission.guard';
import { clientIp, type RequestLike } from '../common/request-meta';
import { SessionsService } from '../tokens/sessions.service';
import { IdentityService } from './identity.service';
import { UsersService } from './users.service';

const userOf = (principal: Principal) => (principal.kind === 'user' ? principal : undefined)!;

/** Sign up, log in, sessions, the signed-in user, passwords and email verification. */
@Resolver(() => UserModel)
export class IdentityResolver {
  constructor(
    private readonly identity: IdentityService,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly callers: FederationCaller,
  ) {}

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description: 'Creates an account, its organization (you own it) and a session.',
  })
  async signUp(
    @Args('input') input: SignUpInput,
    @Context('req') req: RequestLike,
  ): Promise<AuthPayloadModel> {
    return toAuthPayload(await this.identity.signUp(input, { ip: clientIp(req) }));
  }

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description: 'Password login. Throttled per account and IP (TOO_MANY_ATTEMPTS).',
  })
  async logIn(
    @Args('input') input: LogInInput,
    @Context('req') req: RequestLike,
  ): Promise<AuthPayloadModel> {
    return toAuthPayload(await this.identity.logIn(input, { ip: clientIp(req) }));
  }

  @Public()
  @Mutation(() => AuthPayloadModel, {
    description:
      'Rotates a refresh token. Reusing a rotated one ends its session (REFRESH_TOKEN_REUSED).',
  })
  async refreshSession(
    @Args('refreshToken') refreshToken: string,
    @Context('req') req: RequestLike,
  ): Promise<AuthPayloadModel> {
    return toAuthPayload(await this.sessions.refresh(refreshToken, { ip: clientIp(req) }));
  }

  @Allow('session.manage')
  @Mutation(() => Boolean, { description: "Ends this session (the access token's)." })
  logOut(@CurrentPrincipal() principal: Principal): Promise<boolean> {
    const user = userOf(principal);
    return this.sessions.logOut(user.orgId, user.userId, user.sessionId);
  }

  @Allow('session.manage')
  @Mutation(() => Int, {
    description: 'Ends every session of the signed-in user; returns how many.',
  })
  logOutEverywhere(@CurrentPrincipal() principal: Principal): Promise<number> {
    return this.sessions.logOutEverywhere(userOf(principal).userId);
  }

  @Allow('me.read')
  @Query(() => UserModel, { description: 'The signed-in user.' })
  async me(@CurrentPrincipal() principal: Principal): Promise<UserModel> {
    return toUserModel(await this.identity.me(userOf(principal).userId));
  }

  @Public()
  @Mutation(() => Boolean, {
    description: 'Mails a reset link if the account exists; always true.',
  })
  requestPasswordReset(
    @Args('email') email: string,
    @Context('req') req: RequestLike,
  ): Promise<boolean> {
    return this.identity.requestPasswordReset(email, { ip: clientIp(req) });
  }

  @Public()
  @Mutation(() => Boolean, {
    description: 'Sets a new password with the mailed token; ends every session.',
  })
  resetPassword(
    @Args('token') token: string,
    @Args('newPassword') newPassword: string,
    @Context('req') req: RequestLike,
  ): Promise<boolean> {
    return this.identity.resetPassword(token, newPassword, { ip: clientIp(req) });
  }

  @Public()
  @Mutation(() => UserModel, { description: 'Confirms the email address with the mailed token.' })
  async verifyEmail(@Args('token') token: string): Promise<UserModel> {
    return toUserModel(await this.identity.verifyEmail(token));
  }

  @Allow('session.manage')
  @Mutation(() => Boolean, {
    description: 'Mails a new verification link; false when already verified.',
  })
  resendVerificationEmail(
    @CurrentPrincipal() principal: Principal,
    @Context('req') req: RequestLike,
  ): Promise<boolean> {
    return this.identity.resendVerification(userOf(principal).userId, { ip: clientIp(req) });
  }

  @Allow('session.manage')
  @Mutation(() => Boolean, { description: 'Changes the password; your other sessions end.' })
  changePassword(
    @CurrentPrincipal() principal: Principal,
    @Args('currentPassword') currentPassword: string,
    @Args('newPassword') newPassword: string,
  ): Promise<boolean> {
    const user = userOf(principal);
    return this.identity.changePassword(user.userId, user.sessionId, currentPassword, newPassword);
  }

  /** Other subgraphs' User references: members of the caller's organization, else null. */
  @ResolveReference()
  async resolveReference(
    reference: { __typename: string; id: string },
    context: { req?: RequestLike },
  ): Promise<UserModel | null> {
    const caller = await this.callers.principal(context.req);
    const user = await this.users.reference(caller, reference.id);
    return user ? toUserModel(user) : null;
  }
}
