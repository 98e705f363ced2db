import { loadComplianceConfig } from './config';

const base = {
  NODE_ENV: 'development',
  DATABASE_URL: 'postgres://compliance_app:x@127.0.0.1:5432/compliance',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('compliance config', () => {
  it('has the port of tools/services.txt and its own consumer group by default', () => {
    expect(loadComplianceConfig(base)).toMatchObject({
      PORT: 4104,
      KAFKA_GROUP_ID: 'compliance',
      KEYWORD_REPLY_VALIDITY_SECONDS: 3600,
      AUTH_JWKS_URL: 'http://127.0.0.1:4101/.well-known/jwks.json',
    });
  });

  it('stops at boot naming a missing or bad variable', () => {
    const { DATABASE_URL: _missing, ...noDatabase } = base;
    expect(() => loadComplianceConfig(noDatabase)).toThrow(/DATABASE_URL/);
    expect(() => loadComplianceConfig({ ...base, KEYWORD_REPLY_VALIDITY_SECONDS: '5' })).toThrow(
      /KEYWORD_REPLY_VALIDITY_SECONDS/,
    );
    expect(() => loadComplianceConfig({ ...base, NODE_ENV: 'production' })).toThrow(
      /AUTH_JWKS_URL is required in production/,
    );
  });

  it('refuses a Kafka SASL mechanism without credentials', () => {
    expect(() => loadComplianceConfig({ ...base, KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /KAFKA_SASL_USERNAME is required/,
    );
  });
});
