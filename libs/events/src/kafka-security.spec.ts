import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConfig, loadConfig } from '@switchboard/config';
import { kafkaClientConfig } from './kafka';
import {
  kafkaSecurityConfigShape,
  kafkaSecurityOptions,
  kafkaSecurityProblems,
} from './kafka-security';

const load = (env: Record<string, string>) => loadConfig(kafkaSecurityConfigShape, env);
const files = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-tls-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return {
    ca: write('ca.pem', 'CA PEM'),
    cert: write('client.pem', 'CERT PEM'),
    key: write('client.key', 'KEY PEM'),
    missing: join(dir, 'nope.pem'),
  };
})();

describe('Kafka TLS and SASL settings', () => {
  it('are off by default: no ssl, no sasl, nothing to complain about', () => {
    const config = load({});
    expect(config.KAFKA_SSL).toBe(false);
    expect(kafkaSecurityProblems(config)).toEqual([]);
    expect(kafkaSecurityOptions(config)).toEqual({});
    expect(
      kafkaSecurityOptions(load({ KAFKA_SASL_MECHANISM: '', KAFKA_SSL_CA_FILE: ' ' })),
    ).toEqual({});
  });

  it('maps KAFKA_SSL alone to TLS with the system CAs', () => {
    expect(kafkaSecurityOptions(load({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
  });

  it('maps a CA, a client certificate and its key to TLS options, read from the files', () => {
    const config = load({
      KAFKA_SSL: '1',
      KAFKA_SSL_CA_FILE: files.ca,
      KAFKA_SSL_CERT_FILE: files.cert,
      KAFKA_SSL_KEY_FILE: files.key,
    });
    expect(kafkaSecurityProblems(config)).toEqual([]);
    expect(kafkaSecurityOptions(config)).toEqual({
      ssl: { ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM' },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512', 'SCRAM-SHA-512'])(
    'maps SASL %s with its credentials',
    (mechanism) => {
      const config = load({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'messaging',
        KAFKA_SASL_PASSWORD: 's3cret',
      });
      expect(kafkaSecurityProblems(config)).toEqual([]);
      expect(kafkaSecurityOptions(config)).toEqual({
        ssl: true,
        sasl: { mechanism: mechanism.toLowerCase(), username: 'messaging', password: 's3cret' },
      });
    },
  );

  it('refuses an unknown mechanism, naming the variable', () => {
    expect(() => load({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('refuses a mechanism without credentials, naming each missing variable', () => {
    expect(kafkaSecurityProblems(load({ KAFKA_SASL_MECHANISM: 'scram-sha-256' }))).toEqual([
      'KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
    ]);
    expect(
      kafkaSecurityProblems(load({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })),
    ).toEqual(['KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set']);
  });

  it('refuses credentials without a mechanism', () => {
    expect(
      kafkaSecurityProblems(load({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })),
    ).toEqual([
      'KAFKA_SASL_MECHANISM is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    ]);
  });

  it('refuses half a client certificate, TLS files without TLS, and unreadable files', () => {
    expect(
      kafkaSecurityProblems(load({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: files.cert })),
    ).toEqual(['KAFKA_SSL_KEY_FILE is required when KAFKA_SSL_CERT_FILE is set']);
    expect(kafkaSecurityProblems(load({ KAFKA_SSL_CA_FILE: files.ca }))).toEqual([
      'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true',
    ]);
    expect(
      kafkaSecurityProblems(load({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: files.missing })),
    ).toEqual(['KAFKA_SSL_CA_FILE: cannot read the file']);
  });

  it('never prints the password, and never names it in a problem', () => {
    const config = load({
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'hunter2-password',
    });
    const described = JSON.stringify(describeConfig(kafkaSecurityConfigShape, config));
    expect(described).not.toContain('hunter2-password');
    expect(described).toContain('[secret]');
    const problems = kafkaSecurityProblems({ ...config, KAFKA_SASL_USERNAME: undefined });
    expect(problems.join()).not.toContain('hunter2-password');
  });

  it("reach the client's options, next to the brokers", () => {
    const security = kafkaSecurityOptions(
      load({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'devices',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    );
    expect(
      kafkaClientConfig({ brokers: ['b1:9093'], clientId: 'devices', kafkaConfig: security }),
    ).toMatchObject({
      brokers: ['b1:9093'],
      clientId: 'devices',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'devices', password: 'pw' },
    });
    const plain = kafkaClientConfig({ brokers: ['b1:9092'], clientId: 'devices' });
    expect(plain.ssl).toBeUndefined();
    expect(plain.sasl).toBeUndefined();
  });
});
