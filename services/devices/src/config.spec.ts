import { loadDevicesConfig } from './config';

const base = {
  NODE_ENV: 'development',
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

  it('fails closed with NODE_ENV unset: the secret key is required, never the development one', () => {
    const { NODE_ENV: _unset, ...unset } = base;
    expect(() => loadDevicesConfig(unset)).toThrow(/DEVICES_SECRET_KEY is required/);
    expect(loadDevicesConfig({ ...unset, NODE_ENV: 'test' }).usesDevelopmentSecretKey).toBe(true);
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

  it('hands phones the LAN address unless a public URL is set (never 127.0.0.1 if avoidable)', () => {
    const interfaces = {
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
      eth0: [{ address: '192.168.1.23', family: 'IPv4', internal: false }],
    };
    expect(loadDevicesConfig(base, interfaces).deviceApiUrl).toBe(
      'http://192.168.1.23:4102/api/mobile/v1',
    );
    expect(
      loadDevicesConfig(
        { ...base, DEVICE_API_PUBLIC_URL: 'https://sms.example/api/mobile/v1' },
        interfaces,
      ).deviceApiUrl,
    ).toBe('https://sms.example/api/mobile/v1');
    expect(loadDevicesConfig(base, { lo: interfaces.lo }).deviceApiUrl).toBe(
      'http://127.0.0.1:4102/api/mobile/v1',
    );
  });
});
