// Identity end to end, through the gateway, the way a frontend and a customer's server use it.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Topics } from '@switchboard/contracts';
import { EventWatcher, graphqlClient, MailSpool } from '@switchboard/testing';
import { platform } from './platform';
import { until } from './support';

const PASSWORD = 'correct horse battery staple 42';
const AUTH = 'accessToken refreshToken expiresIn user { id email } organization { id slug }';

interface Auth {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string };
  organization: { id: string; slug: string };
}

const p = platform();
const gql = graphqlClient(p.graphqlUrl!);
const mail = new MailSpool(p.mailSpool);

async function signUp(label: string): Promise<Auth> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const { signUp } = await gql.expectData<{ signUp: Auth }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`,
    {
      input: {
        email,
        password: PASSWORD,
        organizationName: `${label} ${randomUUID().slice(0, 6)}`,
      },
    },
  );
  return signUp;
}

describe('identity through the gateway', () => {
  it('signs up, logs in, reads me, refreshes, and revokes the whole session when an old refresh token is reused', async () => {
    const owner = await signUp('owner');
    const { logIn } = await gql.expectData<{ logIn: Auth }>(
      `mutation($input: LogInInput!) { logIn(input: $input) { ${AUTH} } }`,
      { input: { email: owner.user.email, password: PASSWORD } },
    );
    const me = await gql
      .as(logIn.accessToken)
      .expectData<{ me: { email: string } }>('{ me { email } }');
    expect(me.me.email).toBe(owner.user.email);

    const refresh = `mutation($t: String!) { refreshSession(refreshToken: $t) { ${AUTH} } }`;
    const { refreshSession } = await gql.expectData<{ refreshSession: Auth }>(refresh, {
      t: logIn.refreshToken,
    });
    expect(refreshSession.refreshToken).not.toBe(logIn.refreshToken);

    // The old token again: reuse detected, the family (session) is revoked.
    expect(await gql.errorCodes(refresh, { t: logIn.refreshToken })).toEqual([
      'REFRESH_TOKEN_REUSED',
    ]);
    expect(await gql.errorCodes(refresh, { t: refreshSession.refreshToken })).toEqual([
      'INVALID_TOKEN',
    ]);
  });

  it('invites a teammate by mail, who joins as USER, and enforces the role matrix', async () => {
    const owner = await signUp('team');
    const asOwner = gql.as(owner.accessToken);
    const email = `member-${randomUUID().slice(0, 8)}@example.com`;
    await asOwner.expectData(
      'mutation($e: String!) { inviteMember(email: $e, role: USER) { id } }',
      { e: email },
    );
    const token = await mail.linkToken(email, 'accept-invitation', 45_000);
    const { acceptInvitation: member } = await gql.expectData<{ acceptInvitation: Auth }>(
      `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { ${AUTH} } }`,
      { input: { token, password: PASSWORD } },
    );
    expect(member.organization.id).toBe(owner.organization.id);
    const asMember = gql.as(member.accessToken);

    // What CUSTOMER (owner) and USER (member) may do; null means allowed.
    const matrix: [string, string, string | null, string | null][] = [
      ['read the organization', '{ organization { id members { role } } }', null, null],
      [
        'invite',
        `mutation { inviteMember(email: "x-${randomUUID().slice(0, 6)}@example.com", role: USER) { id } }`,
        null,
        'FORBIDDEN',
      ],
      ['list API tokens', '{ apiTokens { id } }', null, 'FORBIDDEN'],
      [
        'create an API token',
        'mutation { createApiToken(name: "ci", scopes: ["messages:read"]) { token } }',
        null,
        'FORBIDDEN',
      ],
      [
        'promote a member',
        `mutation { updateMemberRole(userId: "${member.user.id}", role: USER) { role } }`,
        null,
        'FORBIDDEN',
      ],
      [
        'see other tenants',
        '{ adminOrganizations(reason: "looking around") { id } }',
        'FORBIDDEN',
        'FORBIDDEN',
      ],
    ];
    for (const [what, query, ownerCode, memberCode] of matrix) {
      expect([what, 'CUSTOMER', (await asOwner.errorCodes(query))[0] ?? null]).toEqual([
        what,
        'CUSTOMER',
        ownerCode,
      ]);
      expect([what, 'USER', (await asMember.errorCodes(query))[0] ?? null]).toEqual([
        what,
        'USER',
        memberCode,
      ]);
    }
    expect(await gql.errorCodes('{ me { id } }')).toEqual(['UNAUTHENTICATED']);
  });

  it('lets a server use an API token, and stops it within the documented window once revoked', async () => {
    const owner = await signUp('server');
    const asOwner = gql.as(owner.accessToken);
    const { createApiToken } = await asOwner.expectData<{
      createApiToken: { token: string; apiToken: { id: string } };
    }>(
      'mutation { createApiToken(name: "backend", scopes: ["messages:send", "messages:read"]) { token apiToken { id } } }',
    );
    expect(createApiToken.token).toMatch(/^sbk_/);
    const asServer = gql.as(createApiToken.token);
    const org = await asServer.expectData<{ organization: { id: string } }>(
      '{ organization { id } }',
    );
    expect(org.organization.id).toBe(owner.organization.id);
    const listed = await asOwner.expectData<{ apiTokens: { id: string; useCount: number }[] }>(
      '{ apiTokens { id useCount } }',
    );
    expect(
      listed.apiTokens.find((t) => t.id === createApiToken.apiToken.id)?.useCount,
    ).toBeGreaterThanOrEqual(1);

    await asOwner.expectData('mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', {
      id: createApiToken.apiToken.id,
    });
    // The gateway caches an exchanged token for API_TOKEN_CACHE_SECONDS (set to 2 in this run):
    // the revoked token stops working once that entry expires.
    const revokedAt = Date.now();
    await until('the revoked token to be refused', async () => {
      const codes = await asServer.errorCodes('{ organization { id } }');
      return codes.includes('UNAUTHENTICATED') ? codes : undefined;
    });
    expect(Date.now() - revokedAt).toBeLessThan(15_000);
  });

  it('lets a platform admin read another tenant only with a reason, and audits it', async () => {
    const tenant = await signUp('tenant');
    const operator = await signUp('operator');
    const accounts = p.process('accounts');
    execFileSync(
      process.execPath,
      [
        join(__dirname, '../dist/services/accounts/src/platform-admin.js'),
        'grant',
        operator.user.email,
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: accounts.databaseUrl,
          DATABASE_OWNER_URL: accounts.databaseOwnerUrl,
        },
        stdio: 'pipe',
      },
    );
    const { logIn: admin } = await gql.expectData<{ logIn: Auth }>(
      `mutation($input: LogInInput!) { logIn(input: $input) { ${AUTH} } }`,
      { input: { email: operator.user.email, password: PASSWORD } },
    );
    const asAdmin = gql.as(admin.accessToken);
    const audit = await EventWatcher.start(Topics.compliance.audit);
    try {
      const query =
        'query($id: ID!, $reason: String) { adminOrganization(id: $id, reason: $reason) { id name } }';
      expect(await asAdmin.errorCodes(query, { id: tenant.organization.id })).toEqual([
        'REASON_REQUIRED',
      ]);
      const reason = `support ticket ${randomUUID().slice(0, 8)}`;
      const data = await asAdmin.expectData<{ adminOrganization: { id: string } }>(query, {
        id: tenant.organization.id,
        reason,
      });
      expect(data.adminOrganization.id).toBe(tenant.organization.id);
      const event = await audit.waitFor((e) => e.message.reason === reason);
      expect(event.message).toMatchObject({ orgId: tenant.organization.id, reason });
    } finally {
      await audit.stop();
    }
  });

  it("keeps tenant B out of tenant A's organization and members", async () => {
    const a = await signUp('tenant-a');
    const b = await signUp('tenant-b');
    expect(
      await gql
        .as(b.accessToken)
        .errorCodes('query($id: ID) { organization(id: $id) { id members { user { email } } } }', {
          id: a.organization.id,
        }),
    ).toEqual(['NOT_FOUND']);
    const entities = await gql
      .as(b.accessToken)
      .request('query($id: ID) { organization(id: $id) { name } }', { id: a.organization.id });
    expect(JSON.stringify(entities)).not.toContain(a.organization.slug);
  });

  it('stores and logs no password, refresh token or API token in clear', async () => {
    const owner = await signUp('secrets');
    const { createApiToken } = await gql
      .as(owner.accessToken)
      .expectData<{ createApiToken: { token: string } }>(
        'mutation { createApiToken(name: "x", scopes: ["messages:read"]) { token } }',
      );
    await gql.as(createApiToken.token).expectData('{ organization { id } }');
    const secrets = [PASSWORD, owner.refreshToken, createApiToken.token];

    const accounts = p.process('accounts');
    const db = new Client({ connectionString: accounts.databaseOwnerUrl });
    await db.connect();
    let dump = '';
    try {
      const { rows } = await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      for (const { table_name } of rows) {
        await db.query(`ALTER TABLE "${table_name}" NO FORCE ROW LEVEL SECURITY`);
        const result = await db.query(`SELECT * FROM "${table_name}"`);
        await db
          .query(`ALTER TABLE "${table_name}" FORCE ROW LEVEL SECURITY`)
          .catch(() => undefined);
        dump += JSON.stringify(result.rows, (_k, v: unknown) =>
          Buffer.isBuffer(v) ? v.toString('latin1') : v,
        );
      }
    } finally {
      await db.end();
    }
    const logs = p.processes.map((proc) => readFileSync(proc.logFile, 'utf8')).join('\n');
    for (const secret of secrets) {
      expect(dump.includes(secret)).toBe(false);
      expect(logs.includes(secret)).toBe(false);
    }
    expect(logs.includes(owner.user.email)).toBe(false);
  });
});
