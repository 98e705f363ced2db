import { GoogleSignInResolver } from './google-sign-in.resolver';
import { GoogleSignInService } from './google-sign-in.service';

/** Google sign-in (OpenID Connect). */
export const googleProviders = [GoogleSignInService, GoogleSignInResolver];
