import { loadConfig, secret, z } from '@switchboard/config';
import { describeServiceConfig } from './bootstrap-service';
import {
  databaseConfigShape,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_TRUST_PROXY,
  httpConfigShape,
  serverTimeouts,
  trustProxySetting,
} from './config';
import { DEFAULT_GRAPHQL_LIMITS } from './graphql-limits';

const shape = { ...databaseConfigShape, ...httpConfigShape };
const DATABASE_URL = 'postgres://svc_app:pw@127.0.0.1:5432/svc';

describe('the config every service shares', () => {
  it('has one default for each runtime setting', () => {
    expect(loadConfig(shape, { DATABASE_URL })).toEqual({
      DATABASE_URL,
      DATABASE_OWNER_URL: undefined,
      DATABASE_POOL_SIZE: 20,
      DATABASE_PREPARED_STATEMENTS: 64,
      TRUST_PROXY: DEFAULT_TRUST_PROXY,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      SUBGRAPH_SHARED_SECRET: undefined,
      ...DEFAULT_GRAPHQL_LIMITS,
    });
  });

  it('keeps idle sockets open longer than the gateway pools them (30 s)', () => {
    expect(DEFAULT_KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(30_000);
    const timeouts = serverTimeouts(DEFAULT_KEEP_ALIVE_TIMEOUT_MS);
    expect(timeouts.keepAliveTimeout).toBe(65_000);
    expect(timeouts.headersTimeout).toBeGreaterThan(timeouts.keepAliveTimeout);
  });

  it('refuses pool sizes, prepared statement counts and timeouts out of range, naming the variable', () => {
    expect(() => loadConfig(shape, { DATABASE_URL, DATABASE_POOL_SIZE: '1' })).toThrow(
      /DATABASE_POOL_SIZE/,
    );
    expect(() => loadConfig(shape, { DATABASE_URL, DATABASE_PREPARED_STATEMENTS: '-1' })).toThrow(
      /DATABASE_PREPARED_STATEMENTS/,
    );
    expect(loadConfig(shape, { DATABASE_URL, DATABASE_PREPARED_STATEMENTS: '0' })).toMatchObject({
      DATABASE_PREPARED_STATEMENTS: 0,
    });
    expect(() => loadConfig(shape, { DATABASE_URL, HTTP_KEEP_ALIVE_TIMEOUT_MS: '10' })).toThrow(
      /HTTP_KEEP_ALIVE_TIMEOUT_MS/,
    );
  });

  it('reads TRUST_PROXY as express does', () => {
    expect(trustProxySetting('true')).toBe(true);
    expect(trustProxySetting('false')).toBe(false);
    expect(trustProxySetting('')).toBe(false);
    expect(trustProxySetting('2')).toBe(2);
    expect(trustProxySetting('loopback, 10.0.0.0/8')).toBe('loopback, 10.0.0.0/8');
  });

  it('logs the declared variables only, secrets masked', () => {
    const config = {
      ...loadConfig(shape, {
        DATABASE_URL,
        DATABASE_OWNER_URL: 'postgres://svc_owner:owner-pw@127.0.0.1:5432/svc',
      }),
      decodedKey: Buffer.from('derived secret'),
    };
    const described = describeServiceConfig(shape, config);
    expect(described).toMatchObject({
      DATABASE_URL: '[secret]',
      DATABASE_OWNER_URL: '[secret]',
      DATABASE_POOL_SIZE: 20,
    });
    expect(described).not.toHaveProperty('decodedKey');
    expect(JSON.stringify(described)).not.toContain('pw');
  });

  it('masks a secret of the service’s own shape too', () => {
    const own = { API_KEY: secret(z.string()), NAME: z.string() };
    expect(describeServiceConfig(own, { API_KEY: 'k', NAME: 'n' })).toEqual({
      API_KEY: '[secret]',
      NAME: 'n',
    });
  });
});
