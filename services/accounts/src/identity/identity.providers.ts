import { IdentityResolver } from './identity.resolver';
import { IdentityService } from './identity.service';
import { LoginAttemptsRepository } from './login-attempts.repository';
import { LoginThrottle } from './login-throttle.service';
import { PasswordHasher } from './password-hasher';
import { UserTokensRepository } from './user-tokens.repository';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

/** People: sign-up, log-in, passwords, email verification. */
export const identityProviders = [
  UsersRepository,
  UserTokensRepository,
  LoginAttemptsRepository,
  PasswordHasher,
  LoginThrottle,
  IdentityService,
  UsersService,
  IdentityResolver,
];
