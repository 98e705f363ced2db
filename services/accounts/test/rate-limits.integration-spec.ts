// Rate limits of the operations that send mail or create accounts: signUp, requestPasswordReset,
// resendVerificationEmail, inviteMember (TOO_MANY_ATTEMPTS); and of those that take a secret:
// changePassword, resetPassword, acceptInvitation, refreshSession (RATE_LIMITED). Low limits for speed; each test speaks from client IPs
// of its own (X-Forwarded-For, trusted from loopback as from a gateway on the same host).
import { randomBytes } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { accountsV1, Topics } from '@switchboard/contracts';
import { Mailbox, ManualClock, type GraphQLResponse } from '@switchboard/testing';
import { DataSource } from 'typeorm';
import { RateLimiter } from '@switchboard/rate-limit';
import { rateLimitKey } from '../src/common/rate-limits';
import { OrganizationPurgeJob } from '../src/purge/organization-purge.job';
import {
  asSuperuser,
  AUTH_FIELDS,
  PASSWORD,
  signUp,
  startAccounts,
  uniqueIdentity,
  until,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

const LIMITS = {
  SIGNUP_MAX_PER_IP: '2',
  PASSWORD_RESET_MAX_PER_IP: '4',
  PASSWORD_RESET_MAX_PER_EMAIL: '2',
  VERIFICATION_EMAIL_MAX_PER_IP: '3',
  VERIFICATION_EMAIL_MAX_PER_EMAIL: '2',
  INVITATION_MAX_PER_IP: '6',
  INVITATION_MAX_PER_EMAIL: '2',
  INVITATION_MAX_PER_ORG_PER_DAY: '4',
  CHANGE_PASSWORD_MAX_PER_USER: '2',
  RESET_PASSWORD_MAX_PER_IP: '3',
  RESET_PASSWORD_MAX_PER_TOKEN: '2',
  ACCEPT_INVITATION_MAX_PER_IP: '3',
  ACCEPT_INVITATION_MAX_PER_TOKEN: '2',
  REFRESH_SESSION_MAX_PER_IP: '3',
  REFRESH_SESSION_MAX_PER_TOKEN: '2',
};
const HOUR = 3600;
const DAY = 86_400;

const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH_FIELDS} } }`;
const RESET = 'mutation ($e: String!) { requestPasswordReset(email: $e) }';
const RESEND = 'mutation { resendVerificationEmail }';
const INVITE = 'mutation ($e: String!) { inviteMember(email: $e, role: USER) { id } }';

describe('rate limits', () => {
  let accounts: AccountsUnderTest;
  const mailbox = new Mailbox();
  const clock = new ManualClock();

  beforeAll(async () => {
    const smtpUrl = await mailbox.start();
    accounts = await startAccounts({
      clock,
      env: { SMTP_URL: smtpUrl, MAIL_FROM: 'Switchboard <no-reply@switchboard.test>', ...LIMITS },
    });
  });
  afterAll(async () => {
    await accounts?.stop();
    await mailbox.stop();
  });
  afterEach(() => clock.reset());

  let ips = 0;
  /** A client IP no other test uses. */
  const freshIp = () => {
    const n = ips++;
    return `10.77.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  };
  const from = (ip: string, token?: string) => ({
    gql: accounts.gql.as(token).with({ 'x-forwarded-for': ip }),
  });
  const newOwner = () => signUp(from(freshIp()));
  const newAccount = () => {
    const who = uniqueIdentity('owner');
    return {
      email: who.email,
      password: PASSWORD,
      organizationName: who.name,
      organizationSlug: who.slug,
    };
  };
  const reset = (email: string, ip: string) => from(ip).gql.request(RESET, { e: email });
  const resend = (session: AuthPayload, ip: string) =>
    from(ip, session.accessToken).gql.request(RESEND);
  const invite = (owner: AuthPayload, email: string, ip: string) =>
    from(ip, owner.accessToken).gql.request(INVITE, { e: email });

  /** TOO_MANY_ATTEMPTS (RATE_LIMITED), waiting at most `window` seconds; returns the wait. */
  function expectRefused(response: GraphQLResponse, window: number): number {
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toHaveLength(1);
    const extensions = response.errors![0].extensions!;
    expect(extensions).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', kind: 'RATE_LIMITED' });
    const wait = extensions.retryAfterSeconds as number;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(window);
    return wait;
  }
  const ok = (response: GraphQLResponse) => {
    expect(response.errors).toBeUndefined();
    return response.data;
  };

  /** How many mails with a `path` link to `to` the service requested (the outbox). */
  async function mailsRequested(to: string, path: string): Promise<number> {
    const rows = await asSuperuser<{ payload: Buffer }>(
      accounts.db,
      `SELECT payload FROM outbox WHERE topic = $1`,
      [Topics.accounts.email.name],
    );
    return rows
      .map((r) => fromBinary(accountsV1.EmailRequestedSchema, r.payload))
      .filter((m) => m.to === to.toLowerCase() && (m.variables.link ?? '').includes(path)).length;
  }
  /** How many mails with a `path` link reached `to` over SMTP. */
  const mailsReceived = (to: string, path: string) =>
    mailbox.mails.filter(
      (m) => m.to.includes(to.toLowerCase()) && m.raw.replace(/=\r?\n/g, '').includes(path),
    ).length;
  const hits = async (action: string, key: string) =>
    (
      await asSuperuser<{ n: number }>(
        accounts.db,
        `SELECT count(*)::int AS n FROM rate_limit_hits WHERE action = $1 AND key = $2`,
        [action, key],
      )
    )[0].n;

  describe('signUp', () => {
    it('refuses a client IP past SIGNUP_MAX_PER_IP with retryAfterSeconds; other IPs are unaffected', async () => {
      const ip = freshIp();
      await signUp(from(ip));
      await signUp(from(ip));
      const account = newAccount();
      expectRefused(await from(ip).gql.request(SIGN_UP, { input: account }), HOUR);
      expect(
        await asSuperuser(accounts.db, `SELECT id FROM users WHERE email = $1`, [account.email]),
      ).toEqual([]);
      // The same account from another address goes through.
      ok(await from(freshIp()).gql.request(SIGN_UP, { input: account }));
      // Once the window has passed, the first address may sign up again.
      clock.advance((HOUR + 1) * 1000);
      ok(await from(ip).gql.request(SIGN_UP, { input: newAccount() }));
    });

    it('does not count input mistakes, but counts attempts on a taken email', async () => {
      const ip = freshIp();
      for (let i = 0; i < 3; i++) {
        expect(
          await from(ip).gql.errorCodes(SIGN_UP, {
            input: { ...newAccount(), password: 'short' },
          }),
        ).toEqual(['WEAK_PASSWORD']);
      }
      const taken = await signUp(from(ip));
      expect(
        await from(ip).gql.errorCodes(SIGN_UP, {
          input: { ...newAccount(), email: taken.user.email },
        }),
      ).toEqual(['EMAIL_TAKEN']);
      expectRefused(await from(ip).gql.request(SIGN_UP, { input: newAccount() }), HOUR);
    });
  });

  describe('requestPasswordReset', () => {
    it('keeps answering true past PASSWORD_RESET_MAX_PER_EMAIL but stops mailing (and logs it)', async () => {
      const owner = await newOwner();
      const email = owner.user.email;
      for (let i = 0; i < 5; i++) {
        expect(await reset(email, freshIp())).toEqual({ data: { requestPasswordReset: true } });
      }
      expect(await mailsRequested(email, '/reset-password')).toBe(2);
      // Both arrive over SMTP, and no third. (The first mail waits for the consumer group.)
      await until('two reset mails', () => mailsReceived(email, '/reset-password') === 2, 45_000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(mailsReceived(email, '/reset-password')).toBe(2);
      const notMailed = accounts.logs.filter((l) => l.includes('password reset not mailed'));
      expect(notMailed.length).toBeGreaterThanOrEqual(3);
      for (const line of notMailed) expect(line).not.toContain('@');
      // Another address is unaffected.
      const other = await newOwner();
      ok(await reset(other.user.email, freshIp()));
      expect(await mailsRequested(other.user.email, '/reset-password')).toBe(1);
      // Once the window has passed, the address gets mail again.
      clock.advance((HOUR + 1) * 1000);
      ok(await reset(email, freshIp()));
      expect(await mailsRequested(email, '/reset-password')).toBe(3);
    });

    it('holds the per-email limit under a burst of parallel requests', async () => {
      const email = (await newOwner()).user.email;
      const answers = await Promise.all(Array.from({ length: 8 }, () => reset(email, freshIp())));
      for (const answer of answers)
        expect(answer).toEqual({ data: { requestPasswordReset: true } });
      expect(await mailsRequested(email, '/reset-password')).toBe(2);
    });

    it('refuses a client IP past PASSWORD_RESET_MAX_PER_IP with retryAfterSeconds; other IPs are unaffected', async () => {
      const ip = freshIp();
      for (let i = 0; i < 4; i++) ok(await reset(uniqueIdentity('someone').email, ip));
      const target = await newOwner();
      expectRefused(await reset(target.user.email, ip), HOUR);
      expect(await mailsRequested(target.user.email, '/reset-password')).toBe(0);
      // Invalid addresses count against the IP too.
      const other = freshIp();
      for (let i = 0; i < 4; i++) ok(await reset('not an email', other));
      expectRefused(await reset(target.user.email, other), HOUR);
      // Another IP is unaffected.
      expect(await reset(target.user.email, freshIp())).toEqual({
        data: { requestPasswordReset: true },
      });
      expect(await mailsRequested(target.user.email, '/reset-password')).toBe(1);
    });

    it('tells nothing about whether an account exists', async () => {
      const known = (await newOwner()).user.email;
      const unknown = uniqueIdentity('nobody').email;
      // The same answers, request by request, past the per-email limit too.
      const answers: Record<'known' | 'unknown', GraphQLResponse[]> = { known: [], unknown: [] };
      for (let i = 0; i < 4; i++) {
        answers.known.push(await reset(known, freshIp()));
        answers.unknown.push(await reset(unknown, freshIp()));
      }
      expect(answers.known).toEqual(answers.unknown);
      for (const answer of answers.known) {
        expect(answer).toEqual({ data: { requestPasswordReset: true } });
      }
      // Counted alike.
      expect(await hits('requestPasswordReset', rateLimitKey.email(known))).toBe(2);
      expect(await hits('requestPasswordReset', rateLimitKey.email(unknown))).toBe(2);
      // The per-IP refusal does not depend on the address either.
      const ip = freshIp();
      for (let i = 0; i < 4; i++) ok(await reset(i % 2 ? known : unknown, ip));
      const refused = [await reset(known, ip), await reset(unknown, ip)];
      const waits = refused.map((r) => expectRefused(r, HOUR));
      expect(Math.abs(waits[0] - waits[1])).toBeLessThanOrEqual(1);
      expect(refused[0].errors![0].extensions!.code).toBe(refused[1].errors![0].extensions!.code);
      // Only the known address got mail: the two the limit allowed.
      expect(await mailsRequested(known, '/reset-password')).toBe(2);
      expect(await mailsRequested(unknown, '/reset-password')).toBe(0);
    });

    it('stores hashes, never email addresses', async () => {
      const email = uniqueIdentity('stored').email;
      ok(await reset(email, freshIp()));
      const keys = (
        await asSuperuser<{ key: string }>(accounts.db, `SELECT key FROM rate_limit_hits`)
      ).map((r) => r.key);
      expect(keys).toContain(rateLimitKey.email(email));
      for (const key of keys) {
        expect(key).not.toContain('@');
        expect(key).toMatch(
          /^(ip:[0-9a-f.:]+|email:[0-9a-f]{64}|org:[0-9a-f-]{36}(:email:[0-9a-f]{64})?)$/,
        );
      }
      await expect(
        asSuperuser(
          accounts.db,
          `INSERT INTO rate_limit_hits (action, key, created_at) VALUES ('signUp', $1, now())`,
          [`email:${email}`],
        ),
      ).rejects.toThrow(/check constraint/);
    });
  });

  describe('resendVerificationEmail', () => {
    it('refuses past the per-email and per-IP limits with retryAfterSeconds; others are unaffected', async () => {
      const [ipA, ipB] = [freshIp(), freshIp()];
      const a = await newOwner();
      const b = await newOwner();
      expect(ok(await resend(a, ipA))).toEqual({ resendVerificationEmail: true });
      expect(ok(await resend(a, ipA))).toEqual({ resendVerificationEmail: true });
      // a's address has had its 2 resends: from any IP.
      expectRefused(await resend(a, ipA), HOUR);
      expectRefused(await resend(a, ipB), HOUR);
      // ipA has 2 accepted requests: b's first there is its third, b's second one too many.
      expect(ok(await resend(b, ipA))).toEqual({ resendVerificationEmail: true });
      expectRefused(await resend(b, ipA), HOUR);
      expect(ok(await resend(b, ipB))).toEqual({ resendVerificationEmail: true });
      // The sign-up mail, then the resends let through.
      expect(await mailsRequested(a.user.email, '/verify-email')).toBe(3);
      expect(await mailsRequested(b.user.email, '/verify-email')).toBe(3);
    });
  });

  describe('inviteMember', () => {
    it('refuses past INVITATION_MAX_PER_EMAIL for one email in one organization', async () => {
      const [ownerA, ownerB] = [await newOwner(), await newOwner()];
      const invitee = uniqueIdentity('invitee').email;
      ok(await invite(ownerA, invitee, freshIp()));
      ok(await invite(ownerA, invitee, freshIp()));
      expectRefused(await invite(ownerA, invitee, freshIp()), HOUR);
      // Another email, another organization: unaffected.
      ok(await invite(ownerA, uniqueIdentity('invitee').email, freshIp()));
      ok(await invite(ownerB, invitee, freshIp()));
      expect(await mailsRequested(invitee, '/accept-invitation')).toBe(3);
    });

    it('refuses past INVITATION_MAX_PER_ORG_PER_DAY, for a day', async () => {
      const owner = await newOwner();
      for (let i = 0; i < 4; i++) ok(await invite(owner, uniqueIdentity('team').email, freshIp()));
      const wait = expectRefused(await invite(owner, uniqueIdentity('team').email, freshIp()), DAY);
      expect(wait).toBeGreaterThan(HOUR);
      // Another organization is unaffected.
      ok(await invite(await newOwner(), uniqueIdentity('team').email, freshIp()));
    });

    it('refuses a client IP past INVITATION_MAX_PER_IP across organizations', async () => {
      const ip = freshIp();
      const [ownerA, ownerB] = [await newOwner(), await newOwner()];
      for (const owner of [ownerA, ownerB])
        for (let i = 0; i < 3; i++) ok(await invite(owner, uniqueIdentity('team').email, ip));
      expectRefused(await invite(ownerB, uniqueIdentity('team').email, ip), HOUR);
      ok(await invite(ownerB, uniqueIdentity('team').email, freshIp()));
    });

    it('does not count invitations that fail', async () => {
      const owner = await newOwner();
      for (let i = 0; i < 5; i++) {
        expect(
          await from(freshIp(), owner.accessToken).gql.errorCodes(INVITE, {
            e: owner.user.email,
          }),
        ).toEqual(['ALREADY_MEMBER']);
      }
      expect(await hits('inviteMember', rateLimitKey.org(owner.organization.id))).toBe(0);
      ok(await invite(owner, uniqueIdentity('team').email, freshIp()));
    });
  });

  it('lets exactly `max` of a burst of parallel requests through (one key, one decision at a time)', async () => {
    const limiter = accounts.app.get(RateLimiter);
    // Open enough pooled connections first, so that the burst really runs side by side.
    const dataSource = accounts.app.get(DataSource);
    await Promise.all(Array.from({ length: 12 }, () => dataSource.query('SELECT pg_sleep(0.05)')));
    const key = rateLimitKey.email(uniqueIdentity('burst').email);
    const decisions = await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter.consume('requestPasswordReset', [{ key, limit: { max: 3, windowSeconds: HOUR } }]),
      ),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(3);
    expect(await hits('requestPasswordReset', key)).toBe(3);
  });

  it('housekeeping forgets requests older than a day', async () => {
    const old = rateLimitKey.ip('192.0.2.1');
    const recent = rateLimitKey.ip('192.0.2.2');
    await asSuperuser(
      accounts.db,
      `INSERT INTO rate_limit_hits (action, key, created_at)
       VALUES ('signUp', $1, now() - interval '25 hours'), ('signUp', $2, now() - interval '23 hours')`,
      [old, recent],
    );
    await accounts.app.get(OrganizationPurgeJob).housekeeping();
    expect(await hits('signUp', old)).toBe(0);
    expect(await hits('signUp', recent)).toBe(1);
  });

  describe('operations that take a secret (RATE_LIMITED)', () => {
    /** RATE_LIMITED with retryAfterSeconds in the extensions, at most `window`. */
    function expectRateLimited(response: GraphQLResponse, window = HOUR): void {
      expect(response.data ?? null).toBeNull();
      expect(response.errors).toHaveLength(1);
      const extensions = response.errors![0].extensions!;
      expect(extensions).toMatchObject({ code: 'RATE_LIMITED', kind: 'RATE_LIMITED' });
      expect(extensions.retryAfterSeconds).toBeGreaterThan(0);
      expect(extensions.retryAfterSeconds).toBeLessThanOrEqual(window);
    }
    const codeOf = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;
    const bogus = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;

    it('changePassword: per user, failed attempts counted; other users unaffected', async () => {
      const victim = await newOwner();
      const change = (session: AuthPayload, current: string) =>
        from(freshIp(), session.accessToken).gql.request(
          'mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
          { c: current, n: 'another sturdy passphrase 43' },
        );
      for (let i = 0; i < 2; i++) {
        expect(codeOf(await change(victim, `guess number ${i}`))).toBe('INVALID_CREDENTIALS');
      }
      // The right password does not get through either, from any address: the user is limited.
      expectRateLimited(await change(victim, PASSWORD));
      ok(await change(await newOwner(), PASSWORD));
      clock.advance((HOUR + 1) * 1000);
      ok(await change(victim, PASSWORD));
    });

    const RESET_PASSWORD =
      'mutation ($t: String!) { resetPassword(token: $t, newPassword: "a sturdy passphrase 44") }';
    const ACCEPT =
      'mutation ($t: String!) { acceptInvitation(input: { token: $t, password: "a sturdy passphrase 45" }) { accessToken } }';
    const REFRESH = 'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }';

    it.each([
      ['resetPassword', RESET_PASSWORD, 'INVALID_TOKEN', 'sbp_'],
      ['acceptInvitation', ACCEPT, 'INVALID_TOKEN', 'sbi_'],
      ['refreshSession', REFRESH, 'INVALID_TOKEN', 'sbr_'],
    ])('%s: per client IP and per presented token', async (_name, mutation, invalid, prefix) => {
      // Per IP: different tokens from one address.
      const ip = freshIp();
      for (let i = 0; i < 3; i++) {
        expect(codeOf(await from(ip).gql.request(mutation, { t: bogus(prefix) }))).toBe(invalid);
      }
      expectRateLimited(await from(ip).gql.request(mutation, { t: bogus(prefix) }));
      expect(codeOf(await from(freshIp()).gql.request(mutation, { t: bogus(prefix) }))).toBe(
        invalid,
      );
      // Per token: one token from different addresses.
      const token = bogus(prefix);
      for (let i = 0; i < 2; i++) {
        expect(codeOf(await from(freshIp()).gql.request(mutation, { t: token }))).toBe(invalid);
      }
      expectRateLimited(await from(freshIp()).gql.request(mutation, { t: token }));
    });

    it('refreshSession still rotates a real token within the limits', async () => {
      const owner = await newOwner();
      const rotated = ok(await from(freshIp()).gql.request(REFRESH, { t: owner.refreshToken })) as {
        refreshSession: { accessToken: string };
      };
      expect(rotated.refreshSession.accessToken).toEqual(expect.any(String));
    });
  });
});
