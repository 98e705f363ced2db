// Boots the billing service as it runs in production (same module, same HTTP setup) against
// a database of the test's own and a broker of its own, with access tokens issued like accounts
// issues them, and gives tests what they need to drive it: GraphQL as each kind of caller, the
// events other services publish (organizations, message lifecycle events), watchers and SQL.
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { messagingV1, Topics } from '@switchboard/contracts';
import { startServiceHarness, TestEventProducer, type ServiceHarness } from '@switchboard/testing';
import { AppModule } from '../../src/app.module';
import { loadBillingConfig, type BillingConfig } from '../../src/config';
import { migrate } from '../../src/database';

export interface MessageEventInput {
  orgId: string;
  messageId: string;
  kind: messagingV1.MessageEventKind;
  segments?: number;
  /** Media attachments: more than 0 makes it an MMS. */
  mediaCount?: number;
  to?: string;
  route?: messagingV1.Route;
  occurredAt?: Date;
  sequence?: number;
  /** The CloudEvents id; a redelivery of the same record reuses it. */
  eventId?: string;
  /** The record key (default the message id, as messaging keys it). */
  key?: string;
}

/** The status that goes with each kind of message event. */
const STATUS_OF: Partial<Record<messagingV1.MessageEventKind, messagingV1.MessageStatus>> = {
  [messagingV1.MessageEventKind.QUEUED]: messagingV1.MessageStatus.QUEUED,
  [messagingV1.MessageEventKind.SCHEDULED]: messagingV1.MessageStatus.SCHEDULED,
  [messagingV1.MessageEventKind.DISPATCHED]: messagingV1.MessageStatus.DISPATCHED,
  [messagingV1.MessageEventKind.SENT]: messagingV1.MessageStatus.SENT,
  [messagingV1.MessageEventKind.DELIVERED]: messagingV1.MessageStatus.DELIVERED,
  [messagingV1.MessageEventKind.FAILED]: messagingV1.MessageStatus.FAILED,
  [messagingV1.MessageEventKind.REJECTED]: messagingV1.MessageStatus.REJECTED,
  [messagingV1.MessageEventKind.EXPIRED]: messagingV1.MessageStatus.EXPIRED,
  [messagingV1.MessageEventKind.CANCELED]: messagingV1.MessageStatus.CANCELED,
};

export interface BillingHarness extends ServiceHarness<BillingConfig> {
  /** An outbound message's lifecycle event as messaging publishes it (messaging.message.v1). */
  messageEvent(input: MessageEventInput): Promise<void>;
  /** Several in one produce request (the consumer fetches those of a partition together). */
  messageEvents(inputs: MessageEventInput[]): Promise<void>;
}

export async function startBillingHarness(
  env: Record<string, string> = {},
): Promise<BillingHarness> {
  const base = await startServiceHarness({
    service: 'billing',
    migrate,
    loadConfig: loadBillingConfig,
    module: (config, logger) => AppModule.forRoot(config, { logger }),
    rawBody: true,
    env,
    organizationApplied: `SELECT 1 FROM organization_plans WHERE org_id = $1 AND $2::text IS NOT NULL`,
  });
  const producer = new TestEventProducer(base.broker.brokers);
  const close = base.close.bind(base);
  const eventOf = (input: MessageEventInput) => ({
    key: input.key ?? input.messageId,
    options: { orgId: input.orgId, eventId: input.eventId },
    event: {
      messageId: input.messageId,
      orgId: input.orgId,
      kind: input.kind,
      status: STATUS_OF[input.kind] ?? messagingV1.MessageStatus.UNSPECIFIED,
      direction: messagingV1.Direction.OUTBOUND,
      from: { e164: '+14155550999' },
      to: { e164: input.to ?? '+14155550123' },
      segments: input.segments ?? 1,
      mediaCount: input.mediaCount ?? 0,
      route: input.route ?? messagingV1.Route.DEVICE,
      sequence: input.sequence ?? 1,
      occurredAt: timestampFromDate(input.occurredAt ?? new Date()),
    },
  });
  return Object.assign(base, {
    async messageEvents(inputs: MessageEventInput[]) {
      await producer.publishAll(Topics.messaging.message, inputs.map(eventOf));
    },
    async close() {
      await producer.stop();
      await close();
    },
    async messageEvent(input: MessageEventInput) {
      const { key, event } = eventOf(input);
      await base.publish(Topics.messaging.message, key, input.orgId, event, input.eventId);
    },
  });
}
