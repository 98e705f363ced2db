import { ConfigError } from '@switchboard/config';
import { loadMessagingConfig } from './config';

const base = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://messaging_app:x@127.0.0.1:5432/messaging',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('messaging config', () => {
  it('has defaults for everything but the database and the brokers', () => {
    expect(loadMessagingConfig(base)).toMatchObject({
      PORT: 4103,
      DEFAULT_COUNTRY: 'US',
      MESSAGE_MAX_SEGMENTS: 10,
      MESSAGE_MAX_DISPATCH_ATTEMPTS: 3,
      MESSAGE_DEFAULT_VALIDITY_SECONDS: 86_400,
      IDEMPOTENCY_KEY_TTL_HOURS: 24,
      KAFKA_GROUP_ID: 'messaging',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      AUTH_JWKS_URL: 'http://127.0.0.1:4101/.well-known/jwks.json',
    });
  });

  it('fails at boot naming bad variables', () => {
    expect(() =>
      loadMessagingConfig({ ...base, DEFAULT_COUNTRY: 'XX', MESSAGE_MAX_SEGMENTS: '0' }),
    ).toThrow(ConfigError);
    try {
      loadMessagingConfig({ ...base, DEFAULT_COUNTRY: 'XX' });
    } catch (error) {
      expect((error as ConfigError).problems.join()).toMatch(/DEFAULT_COUNTRY/);
    }
  });

  it('fails over a device route after 120 s unless told; 0 is refused at boot', () => {
    expect(loadMessagingConfig(base).ROUTE_DEVICE_FAILOVER_SECONDS).toBe(120);
    expect(
      loadMessagingConfig({ ...base, ROUTE_DEVICE_FAILOVER_SECONDS: '30' })
        .ROUTE_DEVICE_FAILOVER_SECONDS,
    ).toBe(30);
    expect(() => loadMessagingConfig({ ...base, ROUTE_DEVICE_FAILOVER_SECONDS: '0' })).toThrow(
      /ROUTE_DEVICE_FAILOVER_SECONDS/,
    );
  });

  it('requires the token settings in production', () => {
    expect(() => loadMessagingConfig({ ...base, NODE_ENV: 'production' })).toThrow(/AUTH_JWKS_URL/);
  });

  it('reads country codes in any case', () => {
    expect(loadMessagingConfig({ ...base, DEFAULT_COUNTRY: 'br' }).DEFAULT_COUNTRY).toBe('BR');
  });

  it('refuses a Kafka SASL mechanism without credentials at boot, naming the variables', () => {
    expect(() => loadMessagingConfig({ ...base, KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(
      /KAFKA_SASL_USERNAME is required.*\n.*KAFKA_SASL_PASSWORD is required/,
    );
    expect(
      loadMessagingConfig({
        ...base,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'messaging',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    ).toMatchObject({ KAFKA_SSL: true, KAFKA_SASL_MECHANISM: 'scram-sha-512' });
  });
});
