import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type Producer,
  type ConsumerConfig,
} from 'kafkajs';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Idempotent producer (exactly-once per partition on retries). Needs broker support. */
  idempotentProducer?: boolean;
  /** Quicker group joins and fetches; right for tests and the dev broker. */
  fastConsumers?: boolean;
  kafkaConfig?: Partial<KafkaConfig>;
}

/** The kafkajs client options of a service (TLS and SASL come in `kafkaConfig`). */
export function kafkaClientConfig(settings: KafkaSettings): KafkaConfig {
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.ERROR,
    retry: { initialRetryTime: 100, retries: 8 },
    ...settings.kafkaConfig,
  };
}

export function createKafka(settings: KafkaSettings): Kafka {
  return new Kafka(kafkaClientConfig(settings));
}

export function createProducer(
  kafka: Kafka,
  settings: Pick<KafkaSettings, 'idempotentProducer'>,
): Producer {
  return kafka.producer({
    idempotent: settings.idempotentProducer ?? true,
    // One request in flight keeps per-partition order even when a send is retried.
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
}

/** Consumer timings: production defaults, or the measured fast settings for tests. */
export function consumerTimings(fast: boolean): Partial<ConsumerConfig> {
  return fast
    ? { maxWaitTimeInMs: 100, sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 3000 }
    : {
        maxWaitTimeInMs: 500,
        sessionTimeout: 30000,
        heartbeatInterval: 3000,
        rebalanceTimeout: 60000,
      };
}
