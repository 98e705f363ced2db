import { loadDevicesConfig } from './config';

const base = {
  DATABASE_URL: 'postgres://devices_app:x@127.0.0.1:5432/devices',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('devices config', () => {
  it("verifies the accounts service's tokens with libs/auth's settings and defaults", () => {
    expect(loadDevicesConfig(base)).toMatchObject({
      AUTH_JWKS_URL: 'http://127.0.0.1:4101/.well-known/jwks.json',
      AUTH_ISSUER: 'urn:switchboard:accounts',
      AUTH_AUDIENCE: 'switchboard-api',
    });
    expect(() => loadDevicesConfig({ ...base, NODE_ENV: 'production' })).toThrow(
      /AUTH_JWKS_URL is required in production/,
    );
  });

  it('refuses a Kafka SASL mechanism without credentials at boot, naming the variables', () => {
    expect(() => loadDevicesConfig({ ...base, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(
      /KAFKA_SASL_USERNAME is required.*\n.*KAFKA_SASL_PASSWORD is required/,
    );
    expect(
      loadDevicesConfig({
        ...base,
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'devices',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    ).toMatchObject({ KAFKA_SSL: true, KAFKA_SASL_USERNAME: 'devices' });
  });
});
