import { randomUUID } from 'node:crypto';
import { fromBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { TopicSpec } from '@switchboard/contracts';
import { stackSetting } from './stack-env';

export interface ObservedEvent<S extends DescMessage> {
  key: string;
  headers: Record<string, string>;
  message: MessageShape<S>;
  partition: number;
  offset: string;
}

/**
 * Watches a topic from its beginning and collects its events, decoded by the topic's schema,
 * so a test can wait for the one it expects: `await watcher.waitFor((e) => e.message.orgId === id)`.
 */
export class EventWatcher<S extends DescMessage> {
  readonly events: ObservedEvent<S>[] = [];
  private waiters: {
    predicate: (e: ObservedEvent<S>) => boolean;
    resolve: (e: ObservedEvent<S>) => void;
  }[] = [];

  private constructor(
    private readonly consumer: Consumer,
    readonly topic: TopicSpec<S>,
  ) {}

  static async start<S extends DescMessage>(
    topic: TopicSpec<S>,
    brokers = stackSetting('KAFKA_BROKERS').split(','),
  ): Promise<EventWatcher<S>> {
    const kafka = new Kafka({ clientId: 'event-watcher', brokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: `watcher-${randomUUID()}`,
      maxWaitTimeInMs: 100,
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      rebalanceTimeout: 3000,
    });
    const watcher = new EventWatcher(consumer, topic);
    await consumer.connect();
    await consumer.subscribe({ topic: topic.name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[0] : v);
        let decoded: MessageShape<S>;
        try {
          decoded = fromBinary(topic.schema, message.value ?? new Uint8Array());
        } catch {
          return; // not ours to judge: the consumer under test dead-letters it
        }
        const event = {
          key: message.key?.toString() ?? '',
          headers,
          message: decoded,
          partition,
          offset: message.offset,
        };
        watcher.events.push(event);
        watcher.waiters = watcher.waiters.filter((w) =>
          w.predicate(event) ? (w.resolve(event), false) : true,
        );
      },
    });
    return watcher;
  }

  /** The first event (seen so far or to come) matching `predicate`. */
  waitFor(
    predicate: (event: ObservedEvent<S>) => boolean,
    timeoutMs = 20_000,
  ): Promise<ObservedEvent<S>> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event on ${this.topic.name} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push({
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
