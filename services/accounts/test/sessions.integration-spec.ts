// Sign up, log in, me, refresh rotation with reuse detection, log out, throttling.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ManualClock, scrapeMetrics } from '@switchboard/testing';
import {
  AUTH_FIELDS,
  PASSWORD,
  signUp,
  startAccounts,
  uniqueIdentity,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { ${AUTH_FIELDS} } }`;
const REFRESH = `mutation ($t: String!) { refreshSession(refreshToken: $t) { ${AUTH_FIELDS} } }`;

describe('sessions', () => {
  let accounts: AccountsUnderTest;
  const clock = new ManualClock();

  beforeAll(async () => {
    accounts = await startAccounts({
      clock,
      env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '8' },
    });
  });
  afterAll(async () => {
    await accounts?.stop();
  });

  const logIn = (email: string, password = PASSWORD, ip?: string) =>
    accounts.gql
      .with(ip ? { 'x-forwarded-for': ip } : {})
      .request<{ logIn: AuthPayload }>(LOG_IN, { input: { email, password } });
  const refresh = (token: string) =>
    accounts.gql.request<{ refreshSession: AuthPayload }>(REFRESH, { t: token });

  it('signs up, logs in, answers me, rotates refresh tokens and revokes the family on reuse', async () => {
    const who = uniqueIdentity();
    const created = await signUp(accounts, {
      email: who.email.toUpperCase(),
      organizationSlug: who.slug,
    });
    expect(created.user.email).toBe(who.email);
    expect(created.organization).toMatchObject({ slug: who.slug, status: 'ACTIVE' });
    expect(created.refreshToken).toMatch(/^sbr_[A-Za-z0-9_-]{43}$/);

    const login = await logIn(who.email);
    expect(login.errors).toBeUndefined();
    const session = login.data!.logIn;
    expect(session.organization.id).toBe(created.organization.id);

    const me = await accounts.gql
      .as(session.accessToken)
      .expectData<{ me: { id: string; email: string } }>('{ me { id email } }');
    expect(me.me).toEqual({ id: created.user.id, email: who.email });

    const first = await refresh(session.refreshToken);
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshSession;
    expect(rotated.refreshToken).not.toBe(session.refreshToken);
    await accounts.gql.as(rotated.accessToken).expectData('{ me { id } }');

    // The old token again: a reuse. The family ends, including the token that replaced it.
    const reuse = await refresh(session.refreshToken);
    expect(reuse.errors?.[0].extensions?.code).toBe('REFRESH_TOKEN_REUSED');
    const afterReuse = await refresh(rotated.refreshToken);
    expect(afterReuse.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');

    // Other sessions of the user are untouched.
    const other = await refresh(created.refreshToken);
    expect(other.errors).toBeUndefined();
  });

  it('lets exactly one of two concurrent refreshes win; the other revokes the family', async () => {
    const session = await signUp(accounts);
    const [a, b] = await Promise.all([
      refresh(session.refreshToken),
      refresh(session.refreshToken),
    ]);
    const results = [a, b];
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers[0].errors?.[0].extensions?.code).toBe('REFRESH_TOKEN_REUSED');
    const next = await refresh(winners[0].data!.refreshSession.refreshToken);
    expect(next.errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
  });

  it('refuses garbage, unknown and expired refresh tokens with INVALID_TOKEN', async () => {
    expect((await refresh('not-a-token')).errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
    expect((await refresh(`sbr_${'A'.repeat(43)}`)).errors?.[0].extensions?.code).toBe(
      'INVALID_TOKEN',
    );
    const session = await signUp(accounts);
    clock.advance(31 * 86_400_000);
    try {
      expect((await refresh(session.refreshToken)).errors?.[0].extensions?.code).toBe(
        'INVALID_TOKEN',
      );
    } finally {
      clock.reset();
    }
  });

  it('logs out one session, or every session', async () => {
    const who = uniqueIdentity();
    const a = await signUp(accounts, { email: who.email, organizationSlug: who.slug });
    const b = (await logIn(who.email)).data!.logIn;
    const c = (await logIn(who.email)).data!.logIn;

    expect(await accounts.gql.as(a.accessToken).expectData('mutation { logOut }')).toEqual({
      logOut: true,
    });
    expect((await refresh(a.refreshToken)).errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
    expect((await refresh(b.refreshToken)).errors).toBeUndefined();

    const everywhere = await accounts.gql
      .as(c.accessToken)
      .expectData<{ logOutEverywhere: number }>('mutation { logOutEverywhere }');
    expect(everywhere.logOutEverywhere).toBe(2);
    expect((await refresh(c.refreshToken)).errors?.[0].extensions?.code).toBe('INVALID_TOKEN');
  });

  it('answers wrong passwords and unknown emails alike', async () => {
    const session = await signUp(accounts);
    const wrong = await logIn(session.user.email, 'not the password at all', '10.9.0.1');
    const unknown = await logIn(
      `nobody-${randomUUID()}@example.test`,
      'not the password at all',
      '10.9.0.2',
    );
    expect(wrong.errors?.[0]).toMatchObject({
      message: 'Wrong email or password',
      extensions: { code: 'INVALID_CREDENTIALS' },
    });
    expect(unknown.errors?.[0]).toMatchObject({
      message: 'Wrong email or password',
      extensions: { code: 'INVALID_CREDENTIALS' },
    });
    // Both paths spend one bcrypt comparison of the same cost (the unknown email against a
    // dummy hash), so their timing tells nothing: asserted exactly in password-hasher.spec.ts,
    // not with wall-clock times, which a loaded machine makes meaningless.
  });

  it('throttles failures per account with a retry-after, and a success resets the count', async () => {
    const session = await signUp(accounts);
    const email = session.user.email;
    for (let i = 0; i < 3; i++) {
      expect(
        (await logIn(email, 'wrong password!!', `10.8.0.${i}`)).errors?.[0].extensions?.code,
      ).toBe('INVALID_CREDENTIALS');
    }
    const blocked = await logIn(email, PASSWORD, '10.8.0.99');
    expect(blocked.errors?.[0].extensions).toMatchObject({
      code: 'TOO_MANY_ATTEMPTS',
      kind: 'RATE_LIMITED',
    });
    expect(blocked.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    clock.advance(16 * 60_000);
    try {
      expect((await logIn(email, PASSWORD, '10.8.0.99')).errors).toBeUndefined();
    } finally {
      clock.reset();
    }
  });

  it('throttles failures per IP across accounts', async () => {
    const ip = '10.7.0.1';
    for (let i = 0; i < 8; i++)
      await logIn(`someone-${i}-${randomUUID()}@example.test`, 'wrong password!!', ip);
    const session = await signUp(accounts);
    const blocked = await logIn(session.user.email, PASSWORD, ip);
    expect(blocked.errors?.[0].extensions?.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await logIn(session.user.email, PASSWORD, '10.7.0.2')).errors).toBeUndefined();
  });

  it('answers GOOGLE_SIGN_IN_DISABLED when Google sign-in is not configured', async () => {
    expect(await accounts.gql.errorCodes('{ googleSignInUrl { url } }')).toEqual([
      'GOOGLE_SIGN_IN_DISABLED',
    ]);
  });

  it('serves health without a token, and metrics only on the metrics port', async () => {
    expect((await fetch(`${accounts.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${accounts.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' } },
    });
    expect((await fetch(`${accounts.url}/metrics`)).status).toBe(404);
    expect(await scrapeMetrics(accounts.app)).toContain('http_request_duration_seconds');
  });

  it('keeps neither emails nor passwords in the throttling table', async () => {
    const client = new Client({ connectionString: accounts.db.appUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT account_key FROM login_attempts LIMIT 5');
      for (const r of rows) expect(r.account_key).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await client.end();
    }
  });
});
