import { ConfigError, describeConfig } from '@switchboard/config';
import { accountsConfigShape, loadAccountsConfig } from './config';

const base = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://accounts_app:x@localhost/accounts',
  KAFKA_BROKERS: 'localhost:9092',
};
const key = Buffer.alloc(32, 1).toString('base64');

describe('accounts config', () => {
  it('runs in development with stand-ins for the secrets and bcrypt cost 12', () => {
    const config = loadAccountsConfig(base);
    expect(config.BCRYPT_COST).toBe(12);
    expect(config.ACCESS_TOKEN_TTL_SECONDS).toBe(900);
    expect(config.REFRESH_TOKEN_TTL_SECONDS).toBe(30 * 86400);
    expect(config.API_TOKEN_JWT_TTL_SECONDS).toBe(300);
    expect(Buffer.from(config.SIGNING_KEY_ENCRYPTION_KEY, 'base64')).toHaveLength(32);
    expect(config.INTERNAL_API_SECRET.length).toBeGreaterThanOrEqual(16);
  });

  it('fails closed with NODE_ENV unset: no development secrets, bcrypt cost checked', () => {
    const { NODE_ENV: _unset, ...unset } = base;
    try {
      loadAccountsConfig({ ...unset, BCRYPT_COST: '4' });
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^SIGNING_KEY_ENCRYPTION_KEY is required/),
          expect.stringMatching(/^INTERNAL_API_SECRET is required/),
          'BCRYPT_COST: must be at least 12 in production',
        ]),
      );
      expect((error as ConfigError).message).toContain('NODE_ENV=development or test');
    }
    // Development mode is asked for by name: test mode too; anything else is production.
    expect(loadAccountsConfig({ ...unset, NODE_ENV: 'test' }).usesDevelopmentSecrets).toEqual([
      'SIGNING_KEY_ENCRYPTION_KEY',
      'INTERNAL_API_SECRET',
    ]);
    expect(() => loadAccountsConfig({ ...unset, NODE_ENV: 'staging' })).toThrow(ConfigError);
  });

  it('lets tests lower the bcrypt cost to 4, never below', () => {
    expect(loadAccountsConfig({ ...base, BCRYPT_COST: '4' }).BCRYPT_COST).toBe(4);
    expect(() => loadAccountsConfig({ ...base, BCRYPT_COST: '3' })).toThrow(ConfigError);
  });

  it('demands real secrets, SMTP and bcrypt cost ≥ 12 in production', () => {
    try {
      loadAccountsConfig({ ...base, NODE_ENV: 'production', BCRYPT_COST: '10' });
      throw new Error('should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^SIGNING_KEY_ENCRYPTION_KEY is required but not set/),
        expect.stringMatching(/^INTERNAL_API_SECRET is required but not set/),
        'SMTP_URL is required in production',
        'BCRYPT_COST: must be at least 12 in production',
      ]);
    }
    const config = loadAccountsConfig({
      ...base,
      NODE_ENV: 'production',
      SIGNING_KEY_ENCRYPTION_KEY: key,
      INTERNAL_API_SECRET: 'a-long-internal-secret',
      SMTP_URL: 'smtp://mail.example.com:587',
    });
    expect(config.SIGNING_KEY_ENCRYPTION_KEY).toBe(key);
  });

  it('caps token lifetimes: access 15 min, exchanged API token JWTs 5 min', () => {
    expect(() => loadAccountsConfig({ ...base, ACCESS_TOKEN_TTL_SECONDS: '901' })).toThrow(
      ConfigError,
    );
    expect(() => loadAccountsConfig({ ...base, API_TOKEN_JWT_TTL_SECONDS: '301' })).toThrow(
      ConfigError,
    );
  });

  it('rate-limits the mail-sending operations by default; 0 turns a limit off, negatives are refused', () => {
    expect(loadAccountsConfig(base)).toMatchObject({
      RATE_LIMIT_WINDOW_SECONDS: 3600,
      SIGNUP_MAX_PER_IP: 10,
      PASSWORD_RESET_MAX_PER_IP: 10,
      PASSWORD_RESET_MAX_PER_EMAIL: 3,
      VERIFICATION_EMAIL_MAX_PER_IP: 10,
      VERIFICATION_EMAIL_MAX_PER_EMAIL: 3,
      INVITATION_MAX_PER_IP: 100,
      INVITATION_MAX_PER_EMAIL: 5,
      INVITATION_MAX_PER_ORG_PER_DAY: 100,
    });
    expect(loadAccountsConfig({ ...base, SIGNUP_MAX_PER_IP: '0' }).SIGNUP_MAX_PER_IP).toBe(0);
    expect(() => loadAccountsConfig({ ...base, PASSWORD_RESET_MAX_PER_EMAIL: '-1' })).toThrow(
      ConfigError,
    );
    expect(() => loadAccountsConfig({ ...base, RATE_LIMIT_WINDOW_SECONDS: '0' })).toThrow(
      ConfigError,
    );
  });

  it('wants Google client secret and redirect URI with a client id', () => {
    expect(() => loadAccountsConfig({ ...base, GOOGLE_CLIENT_ID: 'id' })).toThrow(
      /GOOGLE_CLIENT_SECRET/,
    );
  });

  it('never describes a secret for the logs', () => {
    const values = {
      ...base,
      DATABASE_OWNER_URL: 'postgres://accounts_owner:owner-password@localhost/accounts',
      SIGNING_KEY_ENCRYPTION_KEY: key,
      INTERNAL_API_SECRET: 'internal-secret-value',
      SMTP_URL: 'smtp://user:smtp-password@mail.example.com:587',
      GOOGLE_CLIENT_ID: 'client-id',
      GOOGLE_CLIENT_SECRET: 'google-client-secret',
      GOOGLE_REDIRECT_URI: 'https://app.example.com/auth/google/callback',
    };
    const described = describeConfig(accountsConfigShape, loadAccountsConfig(values));
    for (const name of [
      'DATABASE_URL',
      'DATABASE_OWNER_URL',
      'SIGNING_KEY_ENCRYPTION_KEY',
      'INTERNAL_API_SECRET',
      'SMTP_URL',
      'GOOGLE_CLIENT_SECRET',
    ]) {
      expect({ name, value: described[name] }).toEqual({ name, value: '[secret]' });
    }
    const text = JSON.stringify(described);
    for (const secretValue of [
      'owner-password',
      key,
      'internal-secret-value',
      'smtp-password',
      'google-client-secret',
    ]) {
      expect(text).not.toContain(secretValue);
    }
    // The development stand-ins are secrets too.
    expect(
      describeConfig(accountsConfigShape, loadAccountsConfig(base)).SIGNING_KEY_ENCRYPTION_KEY,
    ).toBe('[secret]');
  });

  it('refuses a Kafka SASL mechanism without credentials at boot, and hides the password', () => {
    try {
      loadAccountsConfig({ ...base, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'a' });
      throw new Error('should have failed');
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
      ]);
    }
    const config = loadAccountsConfig({
      ...base,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'accounts',
      KAFKA_SASL_PASSWORD: 'kafka-password',
    });
    expect(describeConfig(accountsConfigShape, config).KAFKA_SASL_PASSWORD).toBe('[secret]');
  });
});
