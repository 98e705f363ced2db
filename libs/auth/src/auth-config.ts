import { env, z } from '@switchboard/config';
import type { JwtVerifierOptions } from './jwt-verifier';

/** The environment a service needs to verify tokens; spread into its `loadConfig` shape. */
export const authConfigShape = {
  /** e.g. http://accounts:4000/.well-known/jwks.json */
  AUTH_JWKS_URL: env.url(),
  AUTH_ISSUER: z.string().min(1),
  AUTH_AUDIENCE: z.string().min(1),
};

export function authOptionsFromConfig(config: {
  AUTH_JWKS_URL: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
}): JwtVerifierOptions {
  return {
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  };
}
