// Boots the compliance service as it runs in production (same module, same HTTP setup) against
// a database of the test's own and a broker of its own, with access tokens issued like accounts
// issues them, and gives tests what they need to drive it: GraphQL as each kind of caller, the
// events other services publish (organizations, inbound messages), watchers and SQL.
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
import { loadComplianceConfig, type ComplianceConfig } from '../../src/config';
import { migrate } from '../../src/database';

export interface InboundInput {
  orgId: string;
  body: string;
  from?: string;
  to?: string;
  messageId?: string;
  deviceId?: string;
  /** The CloudEvents id; a replay of the same record reuses it. */
  eventId?: string;
}

export interface ComplianceHarness {
  app: NestExpressApplication;
  config: ComplianceConfig;
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
  /** accounts.organization.v1 `created` for `orgId`; resolves once compliance has it. */
  organizationCreated(orgId: string, name?: string): Promise<void>;
  organizationEvent(
    orgId: string,
    event: MessageInitShape<typeof accountsV1.OrganizationEventSchema>['event'],
  ): Promise<void>;
  /** An inbound SMS as messaging publishes it (messaging.message.v1, RECEIVED); its id. */
  inbound(input: InboundInput): Promise<string>;
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

export async function startComplianceHarness(
  env: Record<string, string> = {},
): Promise<ComplianceHarness> {
  const db = await createTestDatabase('compliance');
  const broker = await startPrivateBroker();
  const tokens = await TestTokenIssuer.start();
  await migrate(db.ownerUrl, db.appUrl);
  const config = loadComplianceConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.appUrl,
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_FAST_CONSUMERS: 'true',
    KAFKA_GROUP_ID: `compliance-${randomUUID().slice(0, 8)}`,
    LOG_LEVEL: 'error',
    ...tokens.authEnv,
    ...env,
  });
  const logger = createLogger({ service: 'compliance', level: config.LOG_LEVEL });
  const clock = new ManualClock();
  let app: NestExpressApplication;
  try {
    app = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: 'compliance',
      config,
      logger,
      clock,
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

  const harness: ComplianceHarness = {
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
      return producer.publish(topic, key, event, { orgId, eventId });
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
        const found = await harness.sql(
          `SELECT 1 FROM organizations WHERE org_id = $1 AND name = $2`,
          [orgId, name],
        );
        if (found.length === 0) throw new Error(`organization ${orgId} not registered yet`);
      }, 15_000);
    },
    async inbound(input) {
      const messageId = input.messageId ?? randomUUID();
      await harness.publish(
        Topics.messaging.message,
        messageId,
        input.orgId,
        {
          messageId,
          orgId: input.orgId,
          kind: messagingV1.MessageEventKind.RECEIVED,
          status: messagingV1.MessageStatus.RECEIVED,
          direction: messagingV1.Direction.INBOUND,
          from: { e164: input.from ?? '+14155550123' },
          to: { e164: input.to ?? '+14155550999' },
          route: messagingV1.Route.DEVICE,
          deviceId: input.deviceId ?? randomUUID(),
          body: input.body,
          sequence: 1,
          occurredAt: timestampFromDate(new Date()),
        },
        input.eventId,
      );
      return messageId;
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
