// No plaintext password, refresh token or API token in the database or in the logs.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stackSetting } from '@switchboard/testing';
import {
  AUTH_FIELDS,
  signUp,
  startAccounts,
  TEST_INTERNAL_SECRET,
  uniqueIdentity,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

const run = promisify(execFile);

describe('secrets at rest and in logs', () => {
  let accounts: AccountsUnderTest;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    accounts = await startAccounts();
    const who = uniqueIdentity();
    secrets.password = `Unique-Passphrase-${who.slug}`;
    secrets.newPassword = `Another-Passphrase-${who.slug}`;
    const session = await signUp(accounts, {
      email: who.email,
      password: secrets.password,
      organizationSlug: who.slug,
    });
    secrets.signUpRefreshToken = session.refreshToken;
    const login = await accounts.gql.expectData<{ logIn: AuthPayload }>(
      `mutation ($i: LogInInput!) { logIn(input: $i) { ${AUTH_FIELDS} } }`,
      { i: { email: who.email, password: secrets.password } },
    );
    // A failed login logs a warning: the wrong password must not be in it either.
    secrets.wrongPassword = `Wrong-Passphrase-${who.slug}`;
    await accounts.gql.request(`mutation ($i: LogInInput!) { logIn(input: $i) { accessToken } }`, {
      i: { email: who.email, password: secrets.wrongPassword },
    });
    secrets.rotatedRefreshToken = login.logIn.refreshToken;
    const refreshed = await accounts.gql.expectData<{ refreshSession: AuthPayload }>(
      `mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`,
      { t: login.logIn.refreshToken },
    );
    secrets.currentRefreshToken = refreshed.refreshSession.refreshToken;
    await accounts.gql
      .as(refreshed.refreshSession.accessToken)
      .expectData(
        'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
        {
          c: secrets.password,
          n: secrets.newPassword,
        },
      );
    const created = await accounts.gql
      .as(refreshed.refreshSession.accessToken)
      .expectData<{ createApiToken: { token: string } }>(
        'mutation { createApiToken(name: "n", scopes: ["messages:read"]) { token } }',
      );
    secrets.apiToken = created.createApiToken.token;
    const exchanged = await fetch(`${accounts.url}/internal/token-exchange`, {
      method: 'POST',
      headers: {
        'x-internal-secret': TEST_INTERNAL_SECRET,
        authorization: `Bearer ${secrets.apiToken}`,
      },
    });
    expect(exchanged.status).toBe(200);
  });

  afterAll(async () => {
    await accounts?.stop();
  });

  const forms = (secret: string) => [
    secret,
    Buffer.from(secret).toString('hex'),
    Buffer.from(secret).toString('base64'),
  ];

  it('stores none of them: a full dump of the database does not contain them in any encoding', async () => {
    const url = new URL(stackSetting('PG_ADMIN_URL'));
    url.pathname = `/${accounts.db.name}`;
    const { stdout: dump } = await run(
      'pg_dump',
      ['--data-only', '--no-owner', '--dbname', url.toString()],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(dump).toContain('COPY public.users');
    expect(dump).toMatch(/\$2[aby]\$04\$/); // bcrypt hashes are there (cost 4 in tests)
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of forms(secret)) {
        expect({ name, found: dump.includes(form) }).toEqual({ name, found: false });
      }
    }
  });

  it('logs none of them', () => {
    const logs = accounts.logs.join('\n');
    expect(logs).toContain('"msg":"request completed"');
    expect(logs).toContain('graphql operation');
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: logs.includes(secret) }).toEqual({ name, found: false });
    }
  });
});
