import { env, z } from '@switchboard/config';
import type { JwtVerifierOptions } from './jwt-verifier';

/**
 * The one set of token settings of the platform. The accounts service issues tokens with
 * AUTH_ISSUER/AUTH_AUDIENCE; every verifier (the subgraphs, the gateway) checks the same
 * variables, with the same defaults, so a deployment that sets none of them still agrees.
 */
export const AUTH_DEFAULTS = {
  issuer: 'urn:switchboard:accounts',
  audience: 'switchboard-api',
  /** Development only: the accounts service of the local stack. Production must set it. */
  jwksUrl: 'http://127.0.0.1:4101/.well-known/jwks.json',
} as const;

/** `iss` and `aud` of access tokens: what accounts issues and every verifier checks. */
export const authTokenConfigShape = {
  AUTH_ISSUER: z.string().min(1).default(AUTH_DEFAULTS.issuer),
  AUTH_AUDIENCE: z.string().min(1).default(AUTH_DEFAULTS.audience),
};

/**
 * The environment a service needs to verify tokens; spread into its `loadConfig` shape and
 * finish with {@link resolveAuthConfig}. AUTH_JWKS_URL: e.g.
 * `http://accounts:4101/.well-known/jwks.json`.
 */
export const authConfigShape = {
  AUTH_JWKS_URL: env.url().optional(),
  ...authTokenConfigShape,
};

/** The verified token settings, as services keep them in their config. */
// A type, not an interface: configs are also read as Record<string, unknown> (describeConfig).
export type AuthConfig = {
  AUTH_JWKS_URL: string;
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
};

/**
 * Completes the token settings read with {@link authConfigShape}: outside production a missing
 * AUTH_JWKS_URL is the local accounts service; in production it is a problem (returned, so the
 * service reports it with its other problems in one ConfigError).
 */
export function resolveAuthConfig<
  T extends {
    NODE_ENV?: string;
    AUTH_JWKS_URL?: string;
    AUTH_ISSUER: string;
    AUTH_AUDIENCE: string;
  },
>(config: T): { config: Omit<T, 'AUTH_JWKS_URL'> & AuthConfig; problems: string[] } {
  const production = config.NODE_ENV === 'production';
  const problems =
    production && !config.AUTH_JWKS_URL ? ['AUTH_JWKS_URL is required in production'] : [];
  return {
    config: { ...config, AUTH_JWKS_URL: config.AUTH_JWKS_URL ?? AUTH_DEFAULTS.jwksUrl },
    problems,
  };
}

export function authOptionsFromConfig(config: AuthConfig): JwtVerifierOptions {
  return {
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  };
}
