import { Logger } from '@nestjs/common';
import {
  Kafka,
  logLevel,
  Partitioners,
  type KafkaConfig,
  type LogEntry,
  type Producer,
  type ConsumerConfig,
} from 'kafkajs';
import { fixKafkajsIdleLoop } from './kafkajs-request-queue';

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
  fixKafkajsIdleLoop();
  return {
    clientId: settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.ERROR,
    logCreator: kafkaLogCreator,
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

/**
 * Answers a consumer group sends while it rebalances. kafkajs logs each as an ERROR response,
 * yet they are the protocol's ordinary way of saying "rejoin", and the client rejoins.
 */
const REJOIN_SIGNALS = [
  /group is rebalancing/i,
  /rejoin is needed/i,
  /not aware of this member/i,
  /REBALANCE_IN_PROGRESS/,
  /UNKNOWN_MEMBER_ID/,
];

export type KafkaLogSeverity = 'error' | 'warn' | 'info' | 'debug';

/**
 * The severity a kafkajs log entry deserves: kafkajs's own, except that rebalance signals are
 * warnings (an ERROR line must mean something went wrong).
 */
export function kafkaLogSeverity(
  level: logLevel,
  entry: Pick<LogEntry['log'], 'message'> & Record<string, unknown>,
): KafkaLogSeverity {
  const text = `${entry.message} ${typeof entry.error === 'string' ? entry.error : ''}`;
  if (level === logLevel.ERROR)
    return REJOIN_SIGNALS.some((signal) => signal.test(text)) ? 'warn' : 'error';
  if (level === logLevel.WARN) return 'warn';
  if (level === logLevel.INFO) return 'info';
  return 'debug';
}

/** kafkajs logs through the service's structured logger (Nest → pino), with its own namespace. */
function kafkaLogCreator(): (entry: LogEntry) => void {
  const logger = new Logger('kafkajs');
  return ({ namespace, level, log }) => {
    const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
    const line = { msg: `${namespace ? `[${namespace}] ` : ''}${message}`, ...fields };
    switch (kafkaLogSeverity(level, log)) {
      case 'error':
        return logger.error(line);
      case 'warn':
        return logger.warn(line);
      case 'info':
        return logger.log(line);
      default:
        return logger.debug(line);
    }
  };
}
