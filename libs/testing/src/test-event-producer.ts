import { randomUUID } from 'node:crypto';
import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  ceSource,
  ceTypeOf,
  CLOUDEVENTS_SPEC_VERSION,
  CloudEventHeaders as H,
  PROTOBUF_CONTENT_TYPE,
  type TopicSpec,
} from '@switchboard/contracts';

export interface TestEventOptions {
  /** The tenant (ce_orgid); none for a platform-level event, as the outbox writes it. */
  orgId?: string;
  /** The CloudEvents id; a replay of the same record reuses it. Default: a new UUID. */
  eventId?: string;
  /** The producing service (ce_source `/switchboard/<service>`). Default: `test`. */
  service?: string;
  time?: Date;
}

/** A Kafka record as a service's outbox writes it: protobuf value, CloudEvents headers. */
export function cloudEventRecord<S extends DescMessage>(
  topic: TopicSpec<S>,
  key: string,
  event: MessageInitShape<S>,
  options: TestEventOptions = {},
): { key: string; value: Buffer; headers: Record<string, string> } {
  const message = create(topic.schema, event);
  return {
    key,
    value: Buffer.from(toBinary(topic.schema, message)),
    headers: {
      [H.specVersion]: CLOUDEVENTS_SPEC_VERSION,
      [H.id]: options.eventId ?? randomUUID(),
      [H.type]: ceTypeOf(topic, message),
      [H.source]: ceSource(options.service ?? 'test'),
      [H.time]: (options.time ?? new Date()).toISOString(),
      [H.subject]: key,
      ...(options.orgId ? { [H.orgId]: options.orgId } : {}),
      [H.contentType]: PROTOBUF_CONTENT_TYPE,
    },
  };
}

/** Publishes events as other services would (tests of a consumer); connects on first use. */
export class TestEventProducer {
  private producer?: Producer;

  constructor(private readonly brokers: string[]) {}

  async publish<S extends DescMessage>(
    topic: TopicSpec<S>,
    key: string,
    event: MessageInitShape<S>,
    options: TestEventOptions = {},
  ): Promise<void> {
    await this.publishAll(topic, [{ key, event, options }]);
  }

  /** Several events in one produce request: a consumer fetches those of a partition together. */
  async publishAll<S extends DescMessage>(
    topic: TopicSpec<S>,
    events: { key: string; event: MessageInitShape<S>; options?: TestEventOptions }[],
  ): Promise<void> {
    if (!this.producer) {
      const kafka = new Kafka({
        clientId: 'switchboard-test',
        brokers: this.brokers,
        logLevel: logLevel.NOTHING,
      });
      this.producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
      await this.producer.connect();
    }
    await this.producer.send({
      topic: topic.name,
      messages: events.map((e) => cloudEventRecord(topic, e.key, e.event, e.options)),
    });
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }
}
