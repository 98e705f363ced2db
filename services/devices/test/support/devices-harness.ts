// Boots the devices service as it runs in production (same module, same HTTP setup) against a
// database of the test's own and a broker of its own, with the accounts side (JWKS, tokens)
// simulated, and gives tests what they need to drive it.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { devicesV1, Topics, type TopicSpec } from '@switchboard/contracts';
import { createLogger, type Logger } from '@switchboard/observability';
import { createServiceApp } from '@switchboard/service-kit';
import {
  createTestDatabase,
  EventWatcher,
  graphqlClient,
  freePort,
  ManualClock,
  sqlAsSuperuser,
  startPrivateBroker,
  TestEventProducer,
  type GraphQLClient,
  type PrivateBroker,
  type TestDatabase,
} from '@switchboard/testing';
import type { DescMessage } from '@bufbuild/protobuf';
import { AppModule, devicesHttp } from '../../src/app.module';
import { loadDevicesConfig, type DevicesConfig } from '../../src/config';
import { migrate } from '../../src/database';
import { FleetSweeper } from '../../src/presence/fleet-sweeper.job';
import { AuthKit, AUDIENCE, ISSUER } from './auth-kit';

export interface DevicesHarness {
  app: NestExpressApplication;
  config: DevicesConfig;
  baseUrl: string;
  apiUrl: string;
  db: TestDatabase;
  broker: PrivateBroker;
  auth: AuthKit;
  /** The app's clock: real time unless the test moves it (`advance`, `set`, `reset`). */
  clock: ManualClock;
  /** GraphQL as an owner (CUSTOMER) of `orgId`. */
  owner(orgId: string): Promise<GraphQLClient>;
  /** GraphQL as a member (USER) of `orgId`. */
  member(orgId: string): Promise<GraphQLClient>;
  /** A new enrollment token of `orgId` (single-use unless `maxUses`). */
  enrollmentToken(orgId: string, name?: string, options?: { maxUses?: number }): Promise<string>;
  /** Sends a command on devices.dispatch.v1 as messaging would. */
  dispatch(command: DispatchInput): Promise<void>;
  /** Several commands in one produce request (those of a partition are fetched together). */
  dispatchAll(commands: DispatchInput[]): Promise<void>;
  cancel(orgId: string, messageId: string, reason?: string): Promise<void>;
  watch<S extends DescMessage>(topic: TopicSpec<S>): Promise<EventWatcher<S>>;
  /** Runs SQL as the owner role with row-level security lifted (assertions only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  sweep(): ReturnType<FleetSweeper['sweepAll']>;
  close(): Promise<void>;
}

export interface DispatchInput {
  orgId: string;
  messageId?: string;
  to?: string;
  body?: string;
  segments?: number;
  deviceId?: string;
  simNumber?: number;
  validUntil?: Date;
  attempt?: number;
  excludedDeviceIds?: string[];
  /** The message's priority (0–100); unset as older producers send it. */
  priority?: number;
}

export async function startDevicesHarness(
  env: Record<string, string> = {},
): Promise<DevicesHarness> {
  const db = await createTestDatabase('devices');
  const broker = await startPrivateBroker();
  const auth = new AuthKit();
  await auth.start();
  await migrate(db.ownerUrl, db.appUrl);
  // The port is chosen first so PUBLIC_BASE_URL (what phones are told) can name it.
  const port = await freePort();
  const config = loadDevicesConfig({
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    NODE_ENV: 'test',
    DATABASE_URL: db.appUrl,
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_FAST_CONSUMERS: 'true',
    KAFKA_GROUP_ID: `devices-${randomUUID().slice(0, 8)}`,
    AUTH_JWKS_URL: auth.jwksUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'error',
    SWEEP_INTERVAL_MS: '200',
    ...env,
  });
  const logger = createLogger({ service: 'devices', level: config.LOG_LEVEL });
  const clock = new ManualClock();
  let app: NestExpressApplication;
  try {
    app = await createDevicesApp(config, logger, clock);
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await auth.stop();
    await broker.stop();
    await db.drop();
    throw error;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const producer = new TestEventProducer(broker.brokers);
  const watchers: EventWatcher<DescMessage>[] = [];

  /** A dispatch command as messaging's outbox publishes it. */
  function send(orgId: string, messageId: string, command: devicesV1.DispatchCommand['command']) {
    return producer.publish(
      Topics.devices.dispatch,
      messageId,
      { messageId, orgId, issuedAt: timestampFromDate(new Date()), command },
      { orgId, service: 'messaging' },
    );
  }

  function dispatchCommand(input: DispatchInput): devicesV1.DispatchCommand['command'] {
    return {
      case: 'dispatch',
      value: create(devicesV1.DispatchMessageSchema, {
        to: { e164: input.to ?? '+14155550123' },
        body: input.body ?? 'Your code is 123456',
        segments: input.segments ?? 1,
        deviceId: input.deviceId ?? '',
        simNumber: input.simNumber ?? 0,
        validUntil: input.validUntil ? timestampFromDate(input.validUntil) : undefined,
        attempt: input.attempt ?? 1,
        excludedDeviceIds: input.excludedDeviceIds ?? [],
        priority: input.priority,
      }),
    };
  }

  const harness: DevicesHarness = {
    app,
    config,
    baseUrl,
    apiUrl: `${baseUrl}/api/mobile/v1`,
    db,
    broker,
    auth,
    clock,
    async owner(orgId) {
      return graphqlClient(`${baseUrl}/graphql`, await auth.userToken(orgId, 'CUSTOMER'));
    },
    async member(orgId) {
      return graphqlClient(`${baseUrl}/graphql`, await auth.userToken(orgId, 'USER'));
    },
    async enrollmentToken(orgId, name, options = {}) {
      const client = await harness.owner(orgId);
      const data = await client.expectData<{ createDeviceEnrollment: { token: string } }>(
        `mutation($name: String, $maxUses: Int) {
           createDeviceEnrollment(name: $name, maxUses: $maxUses) { token apiUrl }
         }`,
        { name, maxUses: options.maxUses },
      );
      return data.createDeviceEnrollment.token;
    },
    async dispatch(input) {
      await send(input.orgId, input.messageId ?? randomUUID(), dispatchCommand(input));
    },
    async dispatchAll(inputs) {
      const issuedAt = timestampFromDate(new Date());
      await producer.publishAll(
        Topics.devices.dispatch,
        inputs.map((input) => {
          const messageId = input.messageId ?? randomUUID();
          return {
            key: messageId,
            event: { messageId, orgId: input.orgId, issuedAt, command: dispatchCommand(input) },
            options: { orgId: input.orgId, service: 'messaging' },
          };
        }),
      );
    },
    async cancel(orgId, messageId, reason = 'canceled by user') {
      await send(orgId, messageId, {
        case: 'cancel',
        value: create(devicesV1.CancelDispatchSchema, { reason }),
      });
    },
    async watch(topic) {
      const watcher = await EventWatcher.start(topic, broker.brokers);
      watchers.push(watcher as unknown as EventWatcher<DescMessage>);
      return watcher;
    },
    sql(text, params) {
      // The superuser: row-level security does not apply to it (assertions across tenants).
      return sqlAsSuperuser(db.name, text, params);
    },
    sweep() {
      return app.get(FleetSweeper).sweepAll();
    },
    async close() {
      await Promise.all(watchers.map((w) => w.stop().catch(() => undefined)));
      await producer.stop();
      await app.close();
      await auth.stop();
      await broker.stop();
      await db.drop();
    },
  };
  return harness;
}

/** The devices application as main.ts creates it (the kit's bootstrap, this service's module). */
function createDevicesApp(
  config: DevicesConfig,
  logger: Logger,
  clock?: ManualClock,
): Promise<NestExpressApplication> {
  return createServiceApp(AppModule.forRoot(config), {
    service: 'devices',
    config,
    logger,
    clock,
    ...devicesHttp(config),
  });
}

export interface Replica {
  app: NestExpressApplication;
  baseUrl: string;
  apiUrl: string;
  close(): Promise<void>;
}

/** Another replica of the service on the same database and broker (its own port). */
export async function startReplica(
  h: DevicesHarness,
  env: Record<string, string> = {},
): Promise<Replica> {
  const port = await freePort();
  const config = loadDevicesConfig({
    NODE_ENV: 'test',
    DATABASE_URL: h.db.appUrl,
    KAFKA_BROKERS: h.broker.brokers.join(','),
    KAFKA_FAST_CONSUMERS: 'true',
    KAFKA_GROUP_ID: h.config.KAFKA_GROUP_ID,
    AUTH_JWKS_URL: h.auth.jwksUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'error',
    SWEEP_INTERVAL_MS: '200',
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...env,
  });
  const app = await createDevicesApp(
    config,
    createLogger({ service: 'devices', level: config.LOG_LEVEL }),
  );
  await app.listen(port, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  return { app, baseUrl, apiUrl: `${baseUrl}/api/mobile/v1`, close: () => app.close() };
}
