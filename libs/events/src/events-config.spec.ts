import { eventsOptionsFromConfig } from './events-config';

describe('eventsOptionsFromConfig', () => {
  const config = {
    DATABASE_URL: 'postgres://app@db/billing',
    KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
    KAFKA_GROUP_ID: 'billing',
    KAFKA_IDEMPOTENT_PRODUCER: true,
    KAFKA_FAST_CONSUMERS: false,
    KAFKA_SSL: false,
  };

  it('maps the variables, no TLS or SASL when they are off', () => {
    expect(eventsOptionsFromConfig('billing', config)).toEqual({
      service: 'billing',
      groupId: 'billing',
      brokers: ['k1:9092', 'k2:9092'],
      security: {},
      databaseUrl: 'postgres://app@db/billing',
      idempotentProducer: true,
      fastConsumers: false,
    });
  });

  it("adds a service's specifics", () => {
    const options = eventsOptionsFromConfig('devices', config, { consume: false, groupId: 'x' });
    expect(options).toMatchObject({ service: 'devices', consume: false, groupId: 'x' });
  });

  it('passes the security settings through', () => {
    const options = eventsOptionsFromConfig('billing', {
      ...config,
      KAFKA_SASL_MECHANISM: 'scram-sha-512' as const,
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    expect(options.security).toMatchObject({
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });
});
