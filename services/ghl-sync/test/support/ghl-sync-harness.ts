// Boots the ghl-sync service as it runs in production (same module, same HTTP setup: raw
// bodies kept for signatures) against a database and a broker of its own, with access tokens
// issued like accounts issues them, and gives tests GraphQL, events, watchers and SQL.
import { randomUUID } from 'node:crypto';
import type { DescMessage, MessageInitShape } from '@bufbuild/protobuf';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { TopicSpec } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { createServiceApp } from '@switchboard/service-kit';
import {
  createTestDatabase,
  EventWatcher,
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
import { loadGhlSyncConfig, type GhlSyncConfig } from '../../src/config';
import { migrate } from '../../src/database';

export interface GhlSyncHarness {
  app: NestExpressApplication;
  config: GhlSyncConfig;
  baseUrl: string;
  db: TestDatabase;
  broker: PrivateBroker;
  tokens: TestTokenIssuer;
  clock: ManualClock;
  graphql(token?: string): GraphQLClient;
  /** GraphQL as an owner (CUSTOMER) of `orgId`. */
  owner(orgId: string): Promise<GraphQLClient>;
  publish<S extends DescMessage>(
    topic: TopicSpec<S>,
    key: string,
    orgId: string,
    event: MessageInitShape<S>,
    eventId?: string,
  ): Promise<void>;
  watch<S extends DescMessage>(topic: TopicSpec<S>): Promise<EventWatcher<S>>;
  /** Stops the service and starts it again on the same database and broker (a restart). */
  restart(): Promise<void>;
  /** Runs SQL as the superuser: row-level security lifted (assertions only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startGhlSyncHarness(
  env: Record<string, string> = {},
): Promise<GhlSyncHarness> {
  const db = await createTestDatabase('ghl_sync');
  const broker = await startPrivateBroker();
  const tokens = await TestTokenIssuer.start();
  await migrate(db.ownerUrl, db.appUrl);
  let config: GhlSyncConfig;
  try {
    config = loadGhlSyncConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.appUrl,
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_FAST_CONSUMERS: 'true',
      KAFKA_GROUP_ID: `ghl-sync-${randomUUID().slice(0, 8)}`,
      LOG_LEVEL: 'error',
      ...tokens.authEnv,
      ...env,
    });
  } catch (error) {
    await tokens.stop();
    await broker.stop();
    await db.drop();
    throw error;
  }
  const logger = createLogger({ service: 'ghl-sync', level: config.LOG_LEVEL });
  const clock = new ManualClock();
  const boot = async (port = 0) => {
    const created = await createServiceApp(AppModule.forRoot(config, { logger }), {
      service: 'ghl-sync',
      config,
      logger,
      clock,
      rawBody: true,
    });
    await created.listen(port, '127.0.0.1');
    return created;
  };
  let app: NestExpressApplication;
  try {
    app = await boot();
  } catch (error) {
    await tokens.stop();
    await broker.stop();
    await db.drop();
    throw error;
  }
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const producer = new TestEventProducer(broker.brokers);
  const watchers: { stop(): Promise<void> }[] = [];

  const harness: GhlSyncHarness = {
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
    publish(topic, key, orgId, event, eventId) {
      return producer.publish(topic, key, event, { orgId, eventId });
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
      await tokens.stop();
      await broker.stop();
      await db.drop();
    },
  };
  return harness;
}
