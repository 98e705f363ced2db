// The audit events of signing in (compliance.audit.v1, through the outbox): a login in the
// organization it opens a session for, a failed login on the platform chain (never the email),
// password changes and resets.
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { EventWatcher } from '@switchboard/testing';
import {
  AUTH_FIELDS,
  PASSWORD,
  signUp,
  startAccounts,
  uniqueIdentity,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

/** The whole event as text (protobuf times hold bigints). */
const text = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

const LOG_IN = `mutation ($input: LogInInput!) { logIn(input: $input) { ${AUTH_FIELDS} } }`;
const CHANGE_PASSWORD = `mutation ($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }`;

describe('audit events of signing in', () => {
  let accounts: AccountsUnderTest;
  let audit: EventWatcher<typeof complianceV1.AuditEventSchema>;

  beforeAll(async () => {
    audit = await EventWatcher.start(Topics.compliance.audit);
    accounts = await startAccounts();
  });
  afterAll(async () => {
    await audit?.stop();
    await accounts?.stop();
  });

  const logIn = (email: string, password = PASSWORD) =>
    accounts.gql.request<{ logIn: AuthPayload }>(LOG_IN, { input: { email, password } });

  it('records a login in the organization of the session, by the user', async () => {
    const who = uniqueIdentity();
    const created = await signUp(accounts, { email: who.email, organizationSlug: who.slug });
    const login = await logIn(who.email);
    expect(login.errors).toBeUndefined();
    const entry = await audit.waitFor(
      (e) => e.message.action === 'user.login' && e.message.actor?.id === created.user.id,
    );
    expect(entry.headers.ce_orgid).toBe(created.organization.id);
    expect(entry.message).toMatchObject({
      orgId: created.organization.id,
      actor: { type: commonV1.ActorType.USER, orgId: created.organization.id },
      resourceType: 'session',
      outcome: complianceV1.AuditOutcome.SUCCESS,
      sourceService: 'accounts',
      metadata: { method: 'password', ip: '127.0.0.1' },
    });
    expect(entry.message.resourceId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('records failed logins on the platform chain, without the email', async () => {
    const who = uniqueIdentity();
    const created = await signUp(accounts, { email: who.email, organizationSlug: who.slug });
    expect((await logIn(who.email, 'not the password 123')).errors?.[0].extensions?.code).toBe(
      'INVALID_CREDENTIALS',
    );
    const failed = await audit.waitFor(
      (e) =>
        e.message.action === 'user.login' &&
        e.message.resourceId === created.user.id &&
        e.message.outcome === complianceV1.AuditOutcome.FAILED,
    );
    expect(failed.message.orgId).toBe('');
    expect(failed.headers.ce_orgid).toBeUndefined();
    expect(failed.message.metadata).toMatchObject({ method: 'password', reason: 'wrong password' });

    const stranger = uniqueIdentity();
    await logIn(stranger.email);
    const unknown = await audit.waitFor(
      (e) =>
        e.message.action === 'user.login' &&
        e.message.metadata.reason === 'unknown email' &&
        e.message.actor?.id === 'unknown',
    );
    expect(text(unknown.message)).not.toContain(stranger.email);
  });

  it('records password changes', async () => {
    const created = await signUp(accounts);
    const gql = accounts.gql.as(created.accessToken);
    await gql.expectData(CHANGE_PASSWORD, { c: PASSWORD, n: 'an-entirely-new-passphrase-42' });
    const entry = await audit.waitFor(
      (e) =>
        e.message.action === 'user.password_change' && e.message.resourceId === created.user.id,
    );
    expect(entry.message).toMatchObject({
      actor: { type: commonV1.ActorType.USER, id: created.user.id },
      outcome: complianceV1.AuditOutcome.SUCCESS,
    });
    expect(text(entry.message)).not.toContain('passphrase');
  });
});
