import { randomUUID } from 'node:crypto';
import { messagingV1, Topics } from '@switchboard/contracts';
import { stackSetting, TestEventProducer } from '@switchboard/testing';

/** A producer on the e2e platform's broker (KAFKA_BROKERS), as another service publishes. */
export const eventProducer = () => new TestEventProducer(stackSetting('KAFKA_BROKERS').split(','));

/**
 * Asks messaging for a campaign's message the way campaigns do: a command on messaging.send.v1
 * keyed `<organization>:<idempotency key>`, a campaign of its own. Returns the idempotency key.
 */
export async function sendCampaignCommand(
  producer: TestEventProducer,
  orgId: string,
  to: string,
  body: string,
): Promise<string> {
  const idempotencyKey = `campaign-${randomUUID()}`;
  await producer.publish(
    Topics.messaging.send,
    `${orgId}:${idempotencyKey}`,
    {
      orgId,
      idempotencyKey,
      to,
      body,
      purpose: messagingV1.SendPurpose.CAMPAIGN,
      campaignId: randomUUID(),
    },
    { orgId, service: 'e2e' },
  );
  return idempotencyKey;
}
