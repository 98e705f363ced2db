// Boots the real accounts service for one test file: its own database (migrated), the stack's
// broker, port 0, logs captured in memory.
import { randomBytes } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { Client as PgClient } from 'pg';
import { accountsV1, Topics } from '@switchboard/contracts';
import { createLogger } from '@switchboard/observability';
import { createServiceApp, type Clock } from '@switchboard/service-kit';
import {
  createTestDatabase,
  graphqlClient,
  stackSetting,
  type TestDatabase,
} from '@switchboard/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, type AppOptions } from '../src/app.module';
import { loadAccountsConfig, type AccountsConfig } from '../src/config';
import { migrate } from '../src/database';

export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789';

export interface AccountsUnderTest {
  app: NestExpressApplication;
  url: string;
  graphqlUrl: string;
  gql: ReturnType<typeof graphqlClient>;
  db: TestDatabase;
  config: AccountsConfig;
  /** Every log line the service wrote (JSON). */
  logs: string[];
  stop(): Promise<void>;
}

export async function startAccounts(
  options: AppOptions & { clock?: Clock; env?: Record<string, string>; db?: TestDatabase } = {},
): Promise<AccountsUnderTest> {
  const db = options.db ?? (await createTestDatabase('accounts'));
  await migrate(db.ownerUrl, db.appUrl);
  const config = loadAccountsConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.appUrl,
    KAFKA_BROKERS: stackSetting('KAFKA_BROKERS'),
    KAFKA_FAST_CONSUMERS: 'true',
    KAFKA_GROUP_ID: `accounts-test-${randomBytes(4).toString('hex')}`,
    BCRYPT_COST: '4',
    INTERNAL_API_SECRET: TEST_INTERNAL_SECRET,
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ORG_PURGE_INTERVAL_SECONDS: '0',
    APP_BASE_URL: 'https://app.switchboard.test',
    // Each test's consumer group reads accounts.email.v1 from the beginning: older requests
    // (of earlier runs) are dropped unsent instead of each costing an SMTP delivery.
    MAIL_MAX_AGE_SECONDS: '120',
    LOG_LEVEL: 'debug',
    // Every test client is 127.0.0.1: per-IP rate limits would trip across unrelated tests.
    // The other limits keep their defaults; rate-limits.integration-spec.ts sets its own.
    SIGNUP_MAX_PER_IP: '0',
    PASSWORD_RESET_MAX_PER_IP: '0',
    VERIFICATION_EMAIL_MAX_PER_IP: '0',
    INVITATION_MAX_PER_IP: '0',
    RESET_PASSWORD_MAX_PER_IP: '0',
    ACCEPT_INVITATION_MAX_PER_IP: '0',
    REFRESH_SESSION_MAX_PER_IP: '0',
    ...options.env,
  });
  const logs: string[] = [];
  const logger = createLogger({
    service: 'accounts',
    level: 'debug',
    destination: { write: (line: string) => void logs.push(line) },
  });
  const app = await createServiceApp(AppModule.forRoot(config, { ...options, logger }), {
    service: 'accounts',
    config,
    logger,
    clock: options.clock,
  });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const graphqlUrl = `${url}/graphql`;
  return {
    app,
    url,
    graphqlUrl,
    gql: graphqlClient(graphqlUrl),
    db,
    config,
    logs,
    async stop() {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}

let counter = 0;
/** A unique email and slug for one test. */
export function uniqueIdentity(label = 'user') {
  const id = `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;
  return { email: `${label}-${id}@example.test`, slug: `org-${id}`, name: `Org ${id}` };
}

export const PASSWORD = 'a sturdy passphrase 42';

export const AUTH_FIELDS = `accessToken refreshToken expiresIn user { id email emailVerified } organization { id slug name status }`;

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; emailVerified: boolean };
  organization: { id: string; slug: string; name: string; status: string };
}

export async function signUp(
  service: Pick<AccountsUnderTest, 'gql'>,
  overrides: Partial<{
    email: string;
    password: string;
    organizationName: string;
    organizationSlug: string;
  }> = {},
): Promise<AuthPayload> {
  const who = uniqueIdentity('owner');
  const data = await service.gql.expectData<{ signUp: AuthPayload }>(
    `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`,
    {
      input: {
        email: who.email,
        password: PASSWORD,
        organizationName: who.name,
        organizationSlug: who.slug,
        ...overrides,
      },
    },
  );
  return data.signUp;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs SQL on the test database as the superuser (no row-level security), for setup and inspection. */
export async function asSuperuser<T = Record<string, unknown>>(
  db: TestDatabase,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const url = new URL(stackSetting('PG_ADMIN_URL'));
  url.pathname = `/${db.name}`;
  const client = new PgClient({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The link token of the newest mail to `to` still in the outbox (tests that need no SMTP). */
export async function mailedToken(db: TestDatabase, to: string, path: string): Promise<string> {
  return until(`a mail to ${to} with ${path}`, async () => {
    const rows = await asSuperuser<{ payload: Buffer }>(
      db,
      `SELECT payload FROM outbox WHERE topic = $1 ORDER BY id DESC`,
      [Topics.accounts.email.name],
    );
    for (const row of rows) {
      const mail = fromBinary(accountsV1.EmailRequestedSchema, row.payload);
      if (mail.to !== to.toLowerCase()) continue;
      const match = new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.variables.link ?? '');
      if (match) return match[1];
    }
    return undefined;
  });
}

/** Makes the user a platform admin (what `platform-admin.js grant` does). */
export async function makePlatformAdmin(db: TestDatabase, userId: string): Promise<void> {
  await asSuperuser(db, `UPDATE users SET is_platform_admin = true WHERE id = $1`, [userId]);
}

export async function logIn(
  service: Pick<AccountsUnderTest, 'gql'>,
  email: string,
  password = PASSWORD,
  organizationSlug?: string,
): Promise<AuthPayload> {
  const data = await service.gql.expectData<{ logIn: AuthPayload }>(
    `mutation ($i: LogInInput!) { logIn(input: $i) { ${AUTH_FIELDS} } }`,
    { i: { email, password, organizationSlug } },
  );
  return data.logIn;
}

/** Invites `email` into the owner's organization and accepts through the API. */
export async function addMember(
  accounts: AccountsUnderTest,
  owner: AuthPayload,
  role: 'USER' | 'CUSTOMER',
  email = uniqueIdentity(role.toLowerCase()).email,
): Promise<AuthPayload> {
  await accounts.gql
    .as(owner.accessToken)
    .expectData(
      'mutation ($e: String!, $r: MemberRole!) { inviteMember(email: $e, role: $r) { id } }',
      { e: email, r: role },
    );
  const token = await mailedToken(accounts.db, email, '/accept-invitation');
  const data = await accounts.gql.expectData<{ acceptInvitation: AuthPayload }>(
    `mutation ($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { ${AUTH_FIELDS} } }`,
    { i: { token, password: PASSWORD } },
  );
  return data.acceptInvitation;
}
