import { loadConfig } from '@switchboard/config';
import {
  AUTH_DEFAULTS,
  authConfigShape,
  authOptionsFromConfig,
  authTokenConfigShape,
  resolveAuthConfig,
} from './auth-config';

const load = (env: Record<string, string>) => resolveAuthConfig(loadConfig(authConfigShape, env));

describe('auth config', () => {
  it('defaults issuer and audience to what the accounts service issues, everywhere', () => {
    expect(loadConfig(authTokenConfigShape, {})).toEqual({
      AUTH_ISSUER: 'urn:switchboard:accounts',
      AUTH_AUDIENCE: 'switchboard-api',
    });
  });

  it('defaults the JWKS to the local accounts service outside production', () => {
    const { config, problems } = load({});
    expect(problems).toEqual([]);
    expect(config).toMatchObject({
      AUTH_JWKS_URL: AUTH_DEFAULTS.jwksUrl,
      AUTH_ISSUER: AUTH_DEFAULTS.issuer,
      AUTH_AUDIENCE: AUTH_DEFAULTS.audience,
    });
  });

  it('requires the JWKS URL in production, naming the variable', () => {
    const { problems } = resolveAuthConfig({
      NODE_ENV: 'production',
      AUTH_ISSUER: AUTH_DEFAULTS.issuer,
      AUTH_AUDIENCE: AUTH_DEFAULTS.audience,
    });
    expect(problems).toEqual(['AUTH_JWKS_URL is required in production']);
    expect(
      resolveAuthConfig({
        NODE_ENV: 'production',
        AUTH_JWKS_URL: 'https://accounts.example/.well-known/jwks.json',
        AUTH_ISSUER: 'i',
        AUTH_AUDIENCE: 'a',
      }).problems,
    ).toEqual([]);
  });

  it('keeps what is set and maps it to verifier options', () => {
    const { config } = load({
      AUTH_JWKS_URL: 'https://accounts.example/.well-known/jwks.json',
      AUTH_ISSUER: 'urn:x',
      AUTH_AUDIENCE: 'y',
    });
    expect(authOptionsFromConfig(config)).toEqual({
      jwksUrl: 'https://accounts.example/.well-known/jwks.json',
      issuer: 'urn:x',
      audience: 'y',
    });
  });
});
