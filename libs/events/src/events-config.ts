import type { EventsModuleOptions } from './events.module';
import { kafkaSecurityOptions, type KafkaSecurityConfig } from './kafka-security';

/** The variables every service with events has (its config shape declares them). */
export interface EventsConfig extends KafkaSecurityConfig {
  DATABASE_URL: string;
  KAFKA_BROKERS: string[];
  KAFKA_GROUP_ID?: string;
  KAFKA_IDEMPOTENT_PRODUCER?: boolean;
  KAFKA_FAST_CONSUMERS?: boolean;
}

/**
 * The EventsModule options of a service's config (`EventsModule.forRootAsync({ useFactory:
 * () => eventsOptionsFromConfig('billing', config) })`); `extra` carries its specifics.
 */
export function eventsOptionsFromConfig(
  service: string,
  config: EventsConfig,
  extra: Partial<Omit<EventsModuleOptions, 'service'>> = {},
): EventsModuleOptions {
  return {
    service,
    groupId: config.KAFKA_GROUP_ID,
    brokers: config.KAFKA_BROKERS,
    security: kafkaSecurityOptions(config),
    databaseUrl: config.DATABASE_URL,
    idempotentProducer: config.KAFKA_IDEMPOTENT_PRODUCER,
    fastConsumers: config.KAFKA_FAST_CONSUMERS,
    ...extra,
  };
}
