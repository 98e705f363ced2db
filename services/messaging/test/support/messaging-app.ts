import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import {
  createTestDatabase,
  graphqlClient,
  startPrivateBroker,
  type GraphQLClient,
  type PrivateBroker,
  type TestDatabase,
} from '@switchboard/testing';
import { createLogger } from '@switchboard/observability';
import { createServiceApp, type Clock } from '@switchboard/service-kit';
import { AppModule } from '../../src/app.module';
import { loadMessagingConfig } from '../../src/config';
import { migrate } from '../../src/database';
import { AUDIENCE, ISSUER, TokenIssuer } from './tokens';

export interface MessagingStack {
  db: TestDatabase;
  broker: PrivateBroker;
  tokens: TokenIssuer;
  /** The environment the app runs with (for a child process). */
  env: Record<string, string>;
  /** Reads any tenant's rows, as the table owner would without row-level security. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * A fresh messaging database (migrated), a Kafka broker of the test file's own (so other test
 * files never see its records) and a token issuer with its JWKS.
 */
export async function startStack(env: Record<string, string> = {}): Promise<MessagingStack> {
  const [db, broker, tokens] = await Promise.all([
    createTestDatabase('messaging'),
    startPrivateBroker(),
    new TokenIssuer().start(),
  ]);
  process.env.DATABASE_URL ??= db.appUrl;
  await migrate(db.ownerUrl, db.appUrl);
  // The owner role may read every tenant (a policy of its own, for assertions only).
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  for (const table of [
    'messages',
    'conversations',
    'idempotency_keys',
    'organizations',
    'devices',
    'purged_organizations',
    'suppression_states',
    'organization_policies',
  ]) {
    await owner.query(`CREATE POLICY test_owner_reads ON ${table} TO CURRENT_USER USING (true)`);
  }
  const fullEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: db.appUrl,
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_FAST_CONSUMERS: 'true',
    KAFKA_GROUP_ID: `messaging-${randomUUID().slice(0, 8)}`,
    AUTH_JWKS_URL: tokens.jwksUrl,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    SCHEDULER_POLL_INTERVAL_MS: '100',
    ...env,
  };
  return {
    db,
    broker,
    tokens,
    env: fullEnv,
    sql: async <T>(text: string, params?: unknown[]) =>
      (await owner.query(text, params)).rows as T[],
    async stop() {
      await owner.end();
      await tokens.stop();
      await broker.stop();
      await db.drop();
    },
  };
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  gql(token?: string): GraphQLClient;
  close(): Promise<void>;
}

/** Boots the messaging app in this process on a free port, wired as main.ts wires it. */
export async function startApp(
  stack: MessagingStack,
  env: Record<string, string> = {},
  options: { clock?: Clock } = {},
): Promise<RunningApp> {
  const config = loadMessagingConfig({ ...stack.env, ...env });
  const logger = createLogger({ service: 'messaging', level: config.LOG_LEVEL });
  const app = await createServiceApp(AppModule.forRoot(config, { logger }), {
    service: 'messaging',
    config,
    logger,
    clock: options.clock,
    // As main.ts: carrier callbacks are verified on the raw body.
    rawBody: true,
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return {
    app,
    url,
    gql: (token?: string) => graphqlClient(`${url}/graphql`, token),
    close: () => app.close(),
  };
}

/** Polls until `probe` returns something (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the service has applied the consumed events `eventIds` (processed_events). */
export async function handled(stack: MessagingStack, eventIds: string[]): Promise<void> {
  await eventually(
    'events handled',
    async () => {
      const [{ n }] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM processed_events WHERE event_id = ANY($1::text[])`,
        [eventIds],
      );
      return n === eventIds.length;
    },
    30_000,
  );
}

/**
 * Waits until `watcher` has seen every record the service wrote to its outbox for `topic` (of
 * `keys`, or of every key). The outbox keeps every event the service produced (7 days), so
 * "nothing more was sent" can then be asserted on the watcher without a fixed wait, however
 * slow the machine.
 */
export async function caughtUp(
  stack: MessagingStack,
  watcher: { events: { key: string }[] },
  topic: string,
  keys?: string[],
): Promise<void> {
  await eventually(
    `${topic} caught up`,
    async () => {
      const [{ n }] = await stack.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox
          WHERE topic = $1 AND ($2::text[] IS NULL OR record_key = ANY($2::text[]))`,
        [topic, keys ?? null],
      );
      return watcher.events.filter((e) => !keys || keys.includes(e.key)).length >= n;
    },
    30_000,
  );
}
