import { z } from 'zod';
import {
  ConfigError,
  describeConfig,
  env,
  isDevelopmentMode,
  loadConfig,
  requiredSecretProblem,
  secret,
  secretsOrStandIns,
} from './load-config';

const shape = {
  PORT: env.port(4000),
  DATABASE_URL: env.postgresUrl(),
  KAFKA_BROKERS: env.brokers(),
  ENCRYPTION_KEY: secret(env.aesKey()),
  TRACING: env.bool(false),
  MODE: z.enum(['a', 'b']).default('a'),
};

const valid = {
  DATABASE_URL: 'postgres://u:p@h/db',
  KAFKA_BROKERS: 'h1:9092, h2:9092',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('loadConfig', () => {
  it('returns typed values with defaults applied', () => {
    const config = loadConfig(shape, valid);
    expect(config).toMatchObject({
      PORT: 4000,
      KAFKA_BROKERS: ['h1:9092', 'h2:9092'],
      TRACING: false,
      MODE: 'a',
    });
  });

  it('names every missing or bad variable, and never a secret value', () => {
    const attempt = () =>
      loadConfig(shape, {
        PORT: 'eighty',
        KAFKA_BROKERS: 'h:1',
        ENCRYPTION_KEY: 'short-secret-value',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain('DATABASE_URL is required but not set');
      expect(message).toMatch(/PORT: /);
      expect(message).toMatch(/ENCRYPTION_KEY: must be 32 bytes/);
      expect(message).not.toContain('short-secret-value');
    }
  });

  it('describes the config for logs with secrets hidden', () => {
    const config = loadConfig(shape, valid);
    expect(describeConfig(shape, config)).toMatchObject({
      ENCRYPTION_KEY: '[secret]',
      DATABASE_URL: 'postgres://u:p@h/db',
    });
  });
});

describe('development mode', () => {
  it('is asked for explicitly: NODE_ENV=development or test; unset is production', () => {
    expect(isDevelopmentMode({ NODE_ENV: 'development' })).toBe(true);
    expect(isDevelopmentMode({ NODE_ENV: 'test' })).toBe(true);
    expect(isDevelopmentMode({ NODE_ENV: 'production' })).toBe(false);
    expect(isDevelopmentMode({})).toBe(false);
    expect(loadConfig({ NODE_ENV: env.nodeEnv() }, {}).NODE_ENV).toBe('production');
  });

  it('fills secrets with stand-ins only in development mode, naming each missing one otherwise', () => {
    const secrets = (NODE_ENV?: string) =>
      secretsOrStandIns({ NODE_ENV }, { API_SECRET: ['set', 'dev'], KEY: [undefined, 'dev-key'] });
    expect(secrets('development')).toEqual({
      values: { API_SECRET: 'set', KEY: 'dev-key' },
      problems: [],
      standIns: ['KEY'],
    });
    for (const mode of [undefined, 'production']) {
      const { problems, standIns } = secrets(mode);
      expect(problems).toEqual([requiredSecretProblem('KEY')]);
      expect(problems[0]).toMatch(/^KEY is required but not set/);
      expect(standIns).toEqual([]);
    }
    expect(secretsOrStandIns({}, { EMPTY: ['', 'dev'] }).problems).toEqual([
      requiredSecretProblem('EMPTY'),
    ]);
  });
});
