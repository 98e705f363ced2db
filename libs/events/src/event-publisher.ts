import type { Producer } from 'kafkajs';
import type { KafkaHeaders } from './headers';

export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: KafkaHeaders;
}

/**
 * Sends records to Kafka in the given order: records of one topic go in one batch, so records
 * with the same key keep their relative order (one partition, one request in flight).
 */
export class EventPublisher {
  private connected?: Promise<void>;

  constructor(private readonly producer: Producer) {}

  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async publish(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const record of records) {
      const list = byTopic.get(record.topic) ?? [];
      list.push(record);
      byTopic.set(record.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      })),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
