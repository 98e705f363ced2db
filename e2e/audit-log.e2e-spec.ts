// The audit log end to end, through the gateway: what a user does in accounts (logging in) and
// devices (creating an enrollment token) reaches compliance over compliance.audit.v1 and shows
// in the organization's hash-chained log, which verifies; another organization sees none of it.
import { randomUUID } from 'node:crypto';
import type { GraphQLClient } from '@switchboard/testing';
import { platform } from './platform';
import { gateway, PASSWORD, until } from './support';

interface Entry {
  action: string;
  sourceService: string;
  actorId: string;
  resourceId: string | null;
  sequence: number;
}

async function signUpAndLogIn(label: string) {
  const gql = gateway();
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const { signUp } = await gql.expectData<{
    signUp: { organization: { id: string }; user: { id: string } };
  }>(
    'mutation($input: SignUpInput!) { signUp(input: $input) { organization { id } user { id } } }',
    {
      input: {
        email,
        password: PASSWORD,
        organizationName: `${label} ${randomUUID().slice(0, 6)}`,
      },
    },
  );
  const { logIn } = await gql.expectData<{ logIn: { accessToken: string } }>(
    'mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }',
    { input: { email, password: PASSWORD } },
  );
  return {
    api: gql.as(logIn.accessToken),
    orgId: signUp.organization.id,
    userId: signUp.user.id,
  };
}

async function auditLog(api: GraphQLClient): Promise<Entry[]> {
  const { auditLog } = await api.expectData<{ auditLog: { nodes: Entry[] } }>(
    '{ auditLog(first: 100) { nodes { action sourceService actorId resourceId sequence } } }',
  );
  return auditLog.nodes;
}

describe('audit log (through the gateway)', () => {
  it('chains what accounts and devices record, verifies it, and keeps it to its organization', async () => {
    const owner = await signUpAndLogIn('audit');
    const { createDeviceEnrollment } = await owner.api.expectData<{
      createDeviceEnrollment: { id: string };
    }>('mutation { createDeviceEnrollment(name: "audited") { id } }');

    const entries = await until('the login and the enrollment in the audit log', async () => {
      const found = await auditLog(owner.api);
      const login = found.find((e) => e.action === 'user.login' && e.actorId === owner.userId);
      const enrollment = found.find(
        (e) =>
          e.action === 'device_enrollment.create' && e.resourceId === createDeviceEnrollment.id,
      );
      return login && enrollment ? { login, enrollment, all: found } : undefined;
    });
    expect(entries.login.sourceService).toBe('accounts');
    expect(entries.enrollment).toMatchObject({ sourceService: 'devices', actorId: owner.userId });

    const { verifyAuditChain } = await owner.api.expectData<{
      verifyAuditChain: { ok: boolean; checkedEntries: number; firstBrokenAt: unknown };
    }>('{ verifyAuditChain { ok checkedEntries firstBrokenAt { sequence } } }');
    expect(verifyAuditChain.ok).toBe(true);
    expect(verifyAuditChain.firstBrokenAt).toBeNull();
    expect(verifyAuditChain.checkedEntries).toBeGreaterThanOrEqual(entries.all.length);

    const other = await signUpAndLogIn('audit-other');
    await until('the other organization’s login entry', async () =>
      (await auditLog(other.api)).some((e) => e.action === 'user.login'),
    );
    const theirs = await auditLog(other.api);
    expect(theirs.some((e) => e.actorId === owner.userId)).toBe(false);
    expect(theirs.some((e) => e.resourceId === createDeviceEnrollment.id)).toBe(false);
  });

  it('exports the log as JSON lines through a signed link on the public entry point', async () => {
    const owner = await signUpAndLogIn('audit-export');
    await until('the login entry', async () =>
      (await auditLog(owner.api)).some((e) => e.action === 'user.login'),
    );
    const { exportAuditLog } = await owner.api.expectData<{
      exportAuditLog: { url: string; expiresAt: string };
    }>('mutation { exportAuditLog(filter: { action: "user.login" }) { url expiresAt } }');
    const link = new URL(exportAuditLog.url);
    // The link's path on the gateway (the public entry point) of this test platform.
    const publicOrigin = new URL(platform().graphqlUrl!).origin;
    const response = await fetch(`${publicOrigin}${link.pathname}${link.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = (await response.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { action: string; actor: { id: string }; hash: string });
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.every((l) => l.action === 'user.login')).toBe(true);
    expect(lines[0].actor.id).toBe(owner.userId);
    expect(lines[0].hash).toMatch(/^[0-9a-f]{64}$/);
    // Without a valid token the gateway passes on compliance's refusal.
    const refused = await fetch(`${publicOrigin}${link.pathname}?token=forged`);
    expect(refused.status).toBe(404);
  });
});
