// Boots one service as it runs in production (its AppModule through service-kit's
// createServiceApp, same HTTP setup) against a database and a broker of the test's own, with
// access tokens issued like accounts issues them, and gives tests what every service's tests
// drive it with: GraphQL as each kind of caller, events as other services publish them,
// watchers, SQL as the superuser, a restart and one close for all of it. A service's own
// harness adds its domain helpers (organizations, inbound messages, …) on top.
import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { accountsV1, Topics, type TopicSpec } from '@switchboard/contracts';
import { createLogger, type Logger } from '@switchboard/observability';
import { createServiceApp, type ServiceHttpConfig } from '@switchboard/service-kit';
import { eventually } from './eventually';
import { graphqlClient, type GraphQLClient } from './graphql-client';
import { ManualClock } from './manual-clock';
import { startPrivateBroker, type PrivateBroker } from './private-broker';
import { sqlAsSuperuser } from './superuser-sql';
import { createTestDatabase, type TestDatabase } from './test-database';
import { TestEventProducer } from './test-event-producer';
import { TestTokenIssuer } from './test-tokens';
import { EventWatcher } from './wait-for-event';

export interface ServiceHarnessOptions<C extends ServiceHttpConfig> {
  /** The service's name: logs, consumer group, database name prefix. */
  service: string;
  /** The service's migrations (its `database.ts` migrate). */
  migrate(ownerUrl: string, appUrl: string): Promise<unknown>;
  /** The service's config loader, given the test environment. */
  loadConfig(env: Record<string, string>): C;
  /** The service's root module (`AppModule.forRoot(config, { logger })`). */
  module(config: C, logger: Logger): DynamicModule;
  /** Raw request bodies kept (services verifying webhook signatures). */
  rawBody?: boolean;
  /** The test's environment, over the harness's defaults. */
  env?: Record<string, string>;
  /**
   * A SQL check that the service has applied an organization's `created` event (e.g.
   * `SELECT 1 FROM organizations WHERE org_id = $1 AND name = $2`, $1 the id, $2 the name).
   */
  organizationApplied?: string;
}

export interface ServiceHarness<C> {
  app: NestExpressApplication;
  config: C;
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
  /** GraphQL as a platform administrator. */
  platformAdmin(): Promise<GraphQLClient>;
  /** An event as another service's outbox publishes it (`orgId` empty: a platform event). */
  publish<S extends DescMessage>(
    topic: TopicSpec<S>,
    key: string,
    orgId: string,
    event: MessageInitShape<S>,
    eventId?: string,
  ): Promise<void>;
  /** accounts.organization.v1 with this event for `orgId`. */
  organizationEvent(
    orgId: string,
    event: MessageInitShape<typeof accountsV1.OrganizationEventSchema>['event'],
  ): Promise<void>;
  /** accounts.organization.v1 `created` for `orgId`; resolves once the service applied it. */
  organizationCreated(orgId: string, name?: string): Promise<void>;
  watch<S extends DescMessage>(topic: TopicSpec<S>): Promise<EventWatcher<S>>;
  /** Stops the service and starts it again on the same port, database and broker. */
  restart(): Promise<void>;
  /** Runs SQL as the superuser: row-level security lifted (assertions only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startServiceHarness<C extends ServiceHttpConfig>(
  options: ServiceHarnessOptions<C>,
): Promise<ServiceHarness<C>> {
  const { service } = options;
  const db = await createTestDatabase(service.replace(/-/g, '_'));
  const broker = await startPrivateBroker();
  const tokens = await TestTokenIssuer.start();
  const cleanUp = async () => {
    await tokens.stop();
    await broker.stop();
    await db.drop();
  };
  let config: C;
  let logger: Logger;
  const clock = new ManualClock();
  const boot = async (port: number) => {
    const app = await createServiceApp(options.module(config, logger), {
      service,
      config,
      logger,
      clock,
      ...(options.rawBody ? { rawBody: true } : {}),
    });
    await app.listen(port, '127.0.0.1');
    return app;
  };
  let app: NestExpressApplication;
  try {
    await options.migrate(db.ownerUrl, db.appUrl);
    config = options.loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.appUrl,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      KAFKA_GROUP_ID: `${service}-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'error',
      ...tokens.authEnv,
      ...options.env,
    });
    logger = createLogger({ service, level: config.LOG_LEVEL });
    app = await boot(0);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const producer = new TestEventProducer(broker.brokers);
  const watchers: { stop(): Promise<void> }[] = [];

  const harness: ServiceHarness<C> = {
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
    async platformAdmin() {
      return harness.graphql(await tokens.user(randomUUID(), 'ADMIN'));
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
      const applied = options.organizationApplied;
      if (!applied) return;
      await eventually(async () => {
        const found = await harness.sql(applied, [orgId, name]);
        if (found.length === 0) throw new Error(`organization ${orgId} not applied yet`);
      }, 15_000);
    },
    async watch(topic) {
      const watcher = await EventWatcher.start(topic, broker.brokers);
      watchers.push(watcher);
      return watcher;
    },
    async restart() {
      const port = Number(new URL(baseUrl).port);
      await harness.app.close();
      harness.app = await boot(port);
    },
    sql(text, params) {
      return sqlAsSuperuser(db.name, text, params);
    },
    async close() {
      await Promise.all(watchers.map((w) => w.stop().catch(() => undefined)));
      await producer.stop();
      await harness.app.close();
      await cleanUp();
    },
  };
  return harness;
}
