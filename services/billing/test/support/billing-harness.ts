// Boots the billing service as it runs in production (same module, same HTTP setup) against
// a database of the test's own and a broker of its own, with access tokens issued like accounts
// issues them, and gives tests what they need to drive it: GraphQL as each kind of caller, the
// events other services publish (organizations, message lifecycle events), watchers and SQL.
import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { accountsV1, messagingV1, Topics, type TopicSpec } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { createServiceApp } from '@switchboard/service-kit';
import {
  createTestDatabase,
  EventWatcher,
  eventually,
  graphqlClient,
  ManualClock,
  sqlAsSuperuser,
  startPrivateBroker,
  TestEventProducer,
  TestTokenIssuer,
  type GraphQLClient,
  type PrivateBroker,
  type TestDatabase,
} from '@switchboard/testing';
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

export interface BillingHarness {
  app: NestExpressApplication;
  config: BillingConfig;
  baseUrl: string;
  db: TestDatabase;
  broker: PrivateBroker;
  tokens: TestTokenIssuer;
  /** The app's clock: real time unless the test moves it. */
  clock: ManualClock;
  graphql(token?: string): GraphQLClient;
  /** GraphQL as an owner (CUSTOMER) of `orgId`. */
  owner(orgId: string): Promise<GraphQLClient>;
  /** GraphQL as a member (USER) of `orgId`. */
  member(orgId: string): Promise<GraphQLClient>;
  /** accounts.organization.v1 `created` for `orgId`; resolves once billing has it. */
  organizationCreated(orgId: string, name?: string): Promise<void>;
  organizationEvent(
    orgId: string,
    event: MessageInitShape<typeof accountsV1.OrganizationEventSchema>['event'],
  ): Promise<void>;
  /** An outbound message's lifecycle event as messaging publishes it (messaging.message.v1). */
  messageEvent(input: MessageEventInput): Promise<void>;
  /** GraphQL as a platform admin (role ADMIN of the platform organization). */
  platformAdmin(): Promise<GraphQLClient>;
  publish<S extends DescMessage>(
    topic: TopicSpec<S>,
    key: string,
    orgId: string,
    event: MessageInitShape<S>,
    eventId?: string,
  ): Promise<void>;
  watch<S extends DescMessage>(topic: TopicSpec<S>): Promise<EventWatcher<S>>;
  /** Runs SQL as the superuser: row-level security lifted (assertions only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startBillingHarness(
  env: Record<string, string> = {},
): Promise<BillingHarness> {
  const db = await createTestDatabase('billing');
  const broker = await startPrivateBroker();
  const tokens = await TestTokenIssuer.start();
  await migrate(db.ownerUrl, db.appUrl);
  const config = loadBillingConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.appUrl,
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_FAST_CONSUMERS: 'true',
    KAFKA_GROUP_ID: `billing-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'error',
    ...tokens.authEnv,
    ...env,
  });
  const logger = createLogger({ service: 'billing', level: config.LOG_LEVEL });
  const clock = new ManualClock();
  let app: NestExpressApplication;
  try {
    app = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: 'billing',
      config,
      logger,
      clock,
      rawBody: true,
    });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await tokens.stop();
    await broker.stop();
    await db.drop();
    throw error;
  }
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const producer = new TestEventProducer(broker.brokers);
  const watchers: { stop(): Promise<void> }[] = [];

  const harness: BillingHarness = {
    app,
    config,
    baseUrl,
    db,
    broker,
    tokens,
    clock,
    graphql: (token) => graphqlClient(`${baseUrl}/graphql`, token),
    async owner(orgId) {
      return harness.graphql(await tokens.user(orgId, 'CUSTOMER'));
    },
    async member(orgId) {
      return harness.graphql(await tokens.user(orgId, 'USER'));
    },
    publish(topic, key, orgId, event, eventId) {
      // A platform-level event (no organization) carries no ce_orgid, as the outbox writes it.
      return producer.publish(topic, key, event, { orgId: orgId || undefined, eventId });
    },
    organizationEvent(orgId, event) {
      return harness.publish(Topics.accounts.organization, orgId, orgId, {
        orgId,
        occurredAt: timestampFromDate(new Date()),
        event,
      });
    },
    async organizationCreated(orgId, name = 'Acme Dental') {
      await harness.organizationEvent(orgId, {
        case: 'created',
        value: {
          organization: {
            orgId,
            name,
            slug: `org-${orgId.slice(0, 8)}`,
            status: accountsV1.OrganizationStatus.ACTIVE,
          },
        },
      });
      await eventually(async () => {
        const found = await harness.sql(`SELECT 1 FROM organization_plans WHERE org_id = $1`, [
          orgId,
        ]);
        if (found.length === 0) throw new Error(`organization ${orgId} not registered yet`);
      }, 15_000);
    },
    async messageEvent(input) {
      await harness.publish(
        Topics.messaging.message,
        input.messageId,
        input.orgId,
        {
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
        input.eventId,
      );
    },
    async platformAdmin() {
      return harness.graphql(await tokens.user(randomUUID(), 'ADMIN'));
    },
    async watch(topic) {
      const watcher = await EventWatcher.start(topic, broker.brokers);
      watchers.push(watcher);
      return watcher;
    },
    sql(text, params) {
      return sqlAsSuperuser(db.name, text, params);
    },
    async close() {
      await Promise.all(watchers.map((w) => w.stop().catch(() => undefined)));
      await producer.stop();
      await app.close();
      await tokens.stop();
      await broker.stop();
      await db.drop();
    },
  };
  return harness;
}
