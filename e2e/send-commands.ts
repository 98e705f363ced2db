import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { messagingV1, Topics } from '@switchboard/contracts';
import { stackSetting } from '@switchboard/testing';

/**
 * Sends messages the way another service asks messaging for them: commands on
 * messaging.send.v1 (protobuf, CloudEvents headers), over one producer connected on first use.
 */
export class SendCommands {
  private producer?: Producer;

  constructor(private readonly clientId: string) {}

  /** A campaign's message (purpose CAMPAIGN, a campaign of its own); its idempotency key. */
  async campaign(orgId: string, to: string, body: string): Promise<string> {
    if (!this.producer) {
      this.producer = new Kafka({
        clientId: this.clientId,
        brokers: stackSetting('KAFKA_BROKERS').split(','),
        logLevel: logLevel.NOTHING,
      }).producer({ allowAutoTopicCreation: false });
      await this.producer.connect();
    }
    const idempotencyKey = `campaign-${randomUUID()}`;
    const command = create(messagingV1.SendMessageCommandSchema, {
      orgId,
      idempotencyKey,
      to,
      body,
      purpose: messagingV1.SendPurpose.CAMPAIGN,
      campaignId: randomUUID(),
    });
    await this.producer.send({
      topic: Topics.messaging.send.name,
      messages: [
        {
          key: `${orgId}:${idempotencyKey}`,
          value: Buffer.from(toBinary(messagingV1.SendMessageCommandSchema, command)),
          headers: {
            ce_specversion: '1.0',
            ce_id: randomUUID(),
            ce_type: messagingV1.SendMessageCommandSchema.typeName,
            ce_source: '/switchboard/e2e',
            ce_time: new Date().toISOString(),
            ce_subject: idempotencyKey,
            ce_orgid: orgId,
            'content-type': 'application/protobuf',
          },
        },
      ],
    });
    return idempotencyKey;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}
