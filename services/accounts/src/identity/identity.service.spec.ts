// IdentityService with in-memory fakes of its injectables: sign-up and log-in decisions
// without a database (the SQL and its row-level security are covered by the integration tests).
import { ManualClock } from '@switchboard/testing';
import type { RateLimiter } from '@switchboard/rate-limit';
import { fakeDataSource, recorder } from '../../test/fakes';
import { loadAccountsConfig } from '../config';
import type { AccountsEvents } from '../events/accounts-events';
import type { MembershipRecord } from '../organizations/member.record';
import type { MembershipsService } from '../organizations/memberships.service';
import type { OrganizationRecord } from '../organizations/organization.record';
import type { OrganizationsService } from '../organizations/organizations.service';
import type { AuthResult, OpenedSession, SessionsService } from '../tokens/sessions.service';
import { IdentityService } from './identity.service';
import type { LoginThrottle } from './login-throttle.service';
import type { PasswordHasher } from './password-hasher';
import type { UserTokensRepository } from './user-tokens.repository';
import type { UserRecord } from './user.record';
import type { UsersRepository } from './users.repository';

const config = loadAccountsConfig({
  NODE_ENV: 'test',
  DATABASE_URL: 'postgres://accounts_app:x@localhost/accounts',
  KAFKA_BROKERS: 'localhost:9092',
  BCRYPT_COST: '4',
});
const PASSWORD = 'a sturdy passphrase 42';
const IP = { ip: '203.0.113.5' };

function newIdentity() {
  const clock = new ManualClock();
  clock.set(new Date('2030-01-01T12:00:00Z'));
  const users = new Map<string, UserRecord>();
  const organizations = new Map<string, OrganizationRecord>();
  const memberships: MembershipRecord[] = [];
  const limits: [string, unknown][] = [];
  const throttle = { begun: [] as string[], succeeded: [] as string[] };
  const opened: OpenedSession[] = [];
  const events = recorder<AccountsEvents>();
  const mailed = recorder<UserTokensRepository>();

  const fakeUsers = {
    insert: async (
      _tx: unknown,
      u: Omit<UserRecord, 'createdAt' | 'updatedAt' | 'isPlatformAdmin'>,
      now: Date,
    ) => {
      if ([...users.values()].some((x) => x.email === u.email))
        throw Object.assign(new Error('duplicate'), {
          code: '23505',
          constraint: 'users_email_key',
        });
      const user = { ...u, isPlatformAdmin: false, createdAt: now, updatedAt: now } as UserRecord;
      users.set(user.id, user);
      return user;
    },
    findByEmail: async (_tx: unknown, email: string) =>
      [...users.values()].find((u) => u.email === email),
    findById: async (_tx: unknown, id: string) => users.get(id),
  } as unknown as UsersRepository;
  const fakeOrganizations = {
    insert: async (_tx: unknown, o: Partial<OrganizationRecord> & { id: string }, now: Date) => {
      const org = { ...o, status: 'ACTIVE', createdAt: now } as OrganizationRecord;
      organizations.set(org.id, org);
      return org;
    },
    findByIds: async (_tx: unknown, ids: string[]) =>
      ids.map((id) => organizations.get(id)).filter(Boolean),
  } as unknown as OrganizationsService;
  const fakeMemberships = {
    insert: async (_tx: unknown, m: Omit<MembershipRecord, 'createdAt'>, now: Date) =>
      void memberships.push({ ...m, createdAt: now }),
    forUser: async (_tx: unknown, userId: string) => memberships.filter((m) => m.userId === userId),
  } as unknown as MembershipsService;
  const sessions = {
    open: async (
      _tx: unknown,
      user: UserRecord,
      organization: OrganizationRecord,
      role: 'CUSTOMER' | 'USER',
    ) => {
      const session = {
        sessionId: `s${opened.length}`,
        refreshToken: 'sbr_x',
        user,
        organization,
        role,
        memberRole: role,
      };
      opened.push(session);
      return session;
    },
    complete: async (s: OpenedSession): Promise<AuthResult> => ({
      accessToken: `token-of-${s.sessionId}`,
      refreshToken: s.refreshToken,
      expiresIn: 900,
      user: s.user,
      organization: s.organization,
    }),
  } as unknown as SessionsService;
  const hasher = {
    hash: async (p: string) => `hashed:${p}`,
    verify: async (p: string, hash: string | null | undefined) => hash === `hashed:${p}`,
  } as unknown as PasswordHasher;
  const loginThrottle = {
    begin: async (email: string) => {
      throttle.begun.push(email);
      return `attempt-${throttle.begun.length}`;
    },
    succeeded: async (id: string) => void throttle.succeeded.push(id),
  } as unknown as LoginThrottle;
  const rateLimits = {
    enforce: async (action: string, checks: unknown) => void limits.push([action, checks]),
  } as unknown as RateLimiter;

  const service = new IdentityService(
    fakeDataSource(),
    clock,
    config,
    hasher,
    loginThrottle,
    rateLimits,
    fakeUsers,
    mailed.fake,
    fakeOrganizations,
    fakeMemberships,
    sessions,
    events.fake,
  );
  return { service, users, organizations, memberships, limits, throttle, opened, events, mailed };
}

const signUpInput = (email = 'ada@example.com', slug = 'ada-labs') => ({
  email,
  password: PASSWORD,
  organizationName: 'Ada Labs',
  organizationSlug: slug,
});

describe('IdentityService.signUp', () => {
  it('creates the user (password hashed), the organization and the owner membership, and signs in as owner', async () => {
    const t = newIdentity();
    const result = await t.service.signUp(signUpInput(' Ada@Example.com '), IP);
    const [user] = [...t.users.values()];
    expect(user).toMatchObject({ email: 'ada@example.com', passwordHash: `hashed:${PASSWORD}` });
    expect(user.emailVerifiedAt).toBeNull();
    const [org] = [...t.organizations.values()];
    expect(org).toMatchObject({ slug: 'ada-labs', name: 'Ada Labs', timezone: 'UTC' });
    expect(t.memberships).toEqual([
      expect.objectContaining({ orgId: org.id, userId: user.id, role: 'CUSTOMER' }),
    ]);
    expect(t.opened.map((s) => s.role)).toEqual(['CUSTOMER']);
    expect(result).toMatchObject({ accessToken: 'token-of-s0', user, organization: org });
    expect(t.events.calls.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'organizationCreated',
        'userCreated',
        'membershipChanged',
        'emailRequested',
      ]),
    );
    expect(
      t.mailed.calls.map(([name, , token]) => [name, (token as { purpose: string }).purpose]),
    ).toEqual([['issue', 'VERIFY_EMAIL']]);
  });

  it('counts the request against the per-IP limit once the input is valid', async () => {
    const t = newIdentity();
    await t.service.signUp(signUpInput(), IP);
    expect(t.limits).toEqual([
      [
        'signUp',
        [{ key: 'ip:203.0.113.5', limit: { max: config.SIGNUP_MAX_PER_IP, windowSeconds: 3600 } }],
      ],
    ]);
  });

  it('refuses a weak password or a bad email before counting or writing anything', async () => {
    const t = newIdentity();
    await expect(
      t.service.signUp({ ...signUpInput(), password: 'short' }, IP),
    ).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
    });
    await expect(t.service.signUp(signUpInput('not-an-email'), IP)).rejects.toMatchObject({
      code: 'INVALID_EMAIL',
    });
    expect(t.limits).toEqual([]);
    expect(t.users.size).toBe(0);
  });

  it('says EMAIL_TAKEN for an address that has an account', async () => {
    const t = newIdentity();
    await t.service.signUp(signUpInput(), IP);
    await expect(
      t.service.signUp(signUpInput('ada@example.com', 'other'), IP),
    ).rejects.toMatchObject({
      code: 'EMAIL_TAKEN',
    });
  });
});

describe('IdentityService.logIn', () => {
  it('signs in with the right password, clearing the throttle attempt', async () => {
    const t = newIdentity();
    await t.service.signUp(signUpInput(), IP);
    const result = await t.service.logIn({ email: 'ADA@example.com', password: PASSWORD }, IP);
    expect(result.user.email).toBe('ada@example.com');
    expect(t.throttle).toEqual({ begun: ['ada@example.com'], succeeded: ['attempt-1'] });
  });

  it('answers a wrong password and an unknown email alike, both throttled, neither cleared', async () => {
    const t = newIdentity();
    await t.service.signUp(signUpInput(), IP);
    for (const input of [
      { email: 'ada@example.com', password: 'wrong password 1' },
      { email: 'nobody@example.com', password: PASSWORD },
    ]) {
      await expect(t.service.logIn(input, IP)).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    }
    expect(t.throttle.begun).toEqual(['ada@example.com', 'nobody@example.com']);
    expect(t.throttle.succeeded).toEqual([]);
  });

  it('opens the session in the organization asked for, NO_ORGANIZATION when not a member', async () => {
    const t = newIdentity();
    await t.service.signUp(signUpInput(), IP);
    const login = (organizationSlug?: string) =>
      t.service.logIn({ email: 'ada@example.com', password: PASSWORD, organizationSlug }, IP);
    expect((await login('ada-labs')).organization.slug).toBe('ada-labs');
    await expect(login('someone-else')).rejects.toMatchObject({ code: 'NO_ORGANIZATION' });
  });
});
