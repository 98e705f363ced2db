// Who may do what (the role matrix, table-driven), tenant isolation, and platform admins'
// audited access.
import { randomUUID } from 'node:crypto';
import { Topics } from '@switchboard/contracts';
import { EventWatcher } from '@switchboard/testing';
import {
  addMember,
  logIn,
  makePlatformAdmin,
  signUp,
  startAccounts,
  TEST_INTERNAL_SECRET,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

// ADMIN: a platform admin who is a plain member (USER) of the organization: inside it, it has
// its membership's powers and no more; other tenants only through the audited admin path.
type Who = 'ADMIN' | 'CUSTOMER' | 'USER' | 'API_TOKEN' | 'ANONYMOUS';

interface Case {
  name: string;
  query: string;
  variables?: () => Record<string, unknown>;
  allowed: Who[];
}

describe('authorization', () => {
  let accounts: AccountsUnderTest;
  let owner: AuthPayload;
  let member: AuthPayload;
  let admin: AuthPayload;
  let apiJwt: string;
  let otherOrg: AuthPayload;
  let audit: EventWatcher<typeof Topics.compliance.audit.schema>;

  beforeAll(async () => {
    audit = await EventWatcher.start(Topics.compliance.audit);
    accounts = await startAccounts();
    owner = await signUp(accounts);
    member = await addMember(accounts, owner, 'USER');
    const adminMember = await addMember(accounts, owner, 'USER');
    await makePlatformAdmin(accounts.db, adminMember.user.id);
    admin = await logIn(accounts, adminMember.user.email);
    const created = await accounts.gql
      .as(owner.accessToken)
      .expectData<{ createApiToken: { token: string } }>(
        'mutation { createApiToken(name: "ci", scopes: ["messages:read", "admin"]) { token } }',
      );
    const exchanged = await fetch(`${accounts.url}/internal/token-exchange`, {
      method: 'POST',
      headers: {
        'x-internal-secret': TEST_INTERNAL_SECRET,
        authorization: `Bearer ${created.createApiToken.token}`,
      },
    });
    apiJwt = ((await exchanged.json()) as { accessToken: string }).accessToken;
    otherOrg = await signUp(accounts);
  });

  afterAll(async () => {
    await accounts?.stop();
    await audit?.stop();
  });

  const tokenOf = (who: Who) =>
    ({
      ADMIN: admin.accessToken,
      CUSTOMER: owner.accessToken,
      USER: member.accessToken,
      API_TOKEN: apiJwt,
      ANONYMOUS: undefined,
    })[who];

  const cases: Case[] = [
    { name: 'me', query: '{ me { id } }', allowed: ['ADMIN', 'CUSTOMER', 'USER'] },
    {
      name: 'organization',
      query: '{ organization { id } }',
      allowed: ['ADMIN', 'CUSTOMER', 'USER', 'API_TOKEN'],
    },
    {
      name: 'myOrganizations',
      query: '{ myOrganizations { role } }',
      allowed: ['ADMIN', 'CUSTOMER', 'USER'],
    },
    {
      name: 'organization.members',
      query: '{ organization { members { role } } }',
      allowed: ['ADMIN', 'CUSTOMER', 'USER'],
    },
    { name: 'apiTokens', query: '{ apiTokens { id } }', allowed: ['CUSTOMER'] },
    { name: 'invitations', query: '{ invitations { id } }', allowed: ['CUSTOMER'] },
    {
      name: 'updateOrganization',
      query: 'mutation { updateOrganization(input: { timezone: "UTC" }) { id } }',
      allowed: ['CUSTOMER'],
    },
    {
      name: 'inviteMember',
      query: 'mutation ($e: String!) { inviteMember(email: $e, role: USER) { id } }',
      variables: () => ({ e: `matrix-${randomUUID()}@example.test` }),
      allowed: ['CUSTOMER'],
    },
    {
      name: 'updateMemberRole',
      query: 'mutation ($u: ID!) { updateMemberRole(userId: $u, role: USER) { role } }',
      variables: () => ({ u: member.user.id }),
      allowed: ['CUSTOMER'],
    },
    {
      name: 'removeMember (someone else)',
      query: 'mutation ($u: ID!) { removeMember(userId: $u) }',
      variables: () => ({ u: randomUUID() }),
      allowed: ['CUSTOMER'],
    },
    {
      name: 'createApiToken',
      query: 'mutation { createApiToken(name: "m", scopes: ["messages:read"]) { token } }',
      allowed: ['CUSTOMER'],
    },
    {
      name: 'revokeApiToken',
      query: 'mutation ($id: ID!) { revokeApiToken(id: $id) { id } }',
      variables: () => ({ id: randomUUID() }),
      allowed: ['CUSTOMER'],
    },
    {
      name: 'closeOrganization',
      query: 'mutation { closeOrganization { status } }',
      allowed: ['CUSTOMER'],
    },
    {
      name: 'cancelOrganizationClosure',
      query: 'mutation { cancelOrganizationClosure { status } }',
      allowed: ['CUSTOMER'],
    },
    {
      name: 'logOutEverywhere',
      query: 'mutation { logOutEverywhere }',
      allowed: ['ADMIN', 'CUSTOMER', 'USER'],
    },
    {
      name: 'adminOrganizations',
      query: '{ adminOrganizations(reason: "support ticket 1") { id } }',
      allowed: ['ADMIN'],
    },
    {
      name: 'adminOrganization',
      query: 'query ($id: ID!) { adminOrganization(id: $id, reason: "support ticket 2") { id } }',
      variables: () => ({ id: otherOrg.organization.id }),
      allowed: ['ADMIN'],
    },
  ];

  const everyone: Who[] = ['ADMIN', 'CUSTOMER', 'USER', 'API_TOKEN', 'ANONYMOUS'];
  const table = cases.flatMap((c) =>
    everyone.map((who) => [c.name, who, c.allowed.includes(who), c] as const),
  );

  it.each(table)('%s as %s → allowed: %s', async (_name, who, allowed, c) => {
    const result = await accounts.gql.as(tokenOf(who)).request(c.query, c.variables?.());
    const codes = (result.errors ?? []).map((e) => e.extensions?.code);
    if (allowed) {
      expect(codes).not.toContain('FORBIDDEN');
      expect(codes).not.toContain('UNAUTHENTICATED');
      // Closing is undone right away, so the organization stays usable for the other cases.
      if (c.name === 'closeOrganization') {
        await accounts.gql
          .as(tokenOf(who))
          .expectData('mutation { cancelOrganizationClosure { status } }');
      }
    } else {
      expect(codes).toEqual([who === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
    }
  });

  describe('tenant isolation', () => {
    it("does not show another tenant's organization, by id or by reference", async () => {
      const asB = accounts.gql.as(otherOrg.accessToken);
      expect(
        await asB.errorCodes('query ($id: ID) { organization(id: $id) { id } }', {
          id: owner.organization.id,
        }),
      ).toEqual(['NOT_FOUND']);
      expect(
        await asB.errorCodes('query ($id: ID) { organization(id: $id) { id } }', {
          id: randomUUID(),
        }),
      ).toEqual(['NOT_FOUND']);
      const own = await asB.expectData<{ organization: { id: string } }>(
        'query ($id: ID) { organization(id: $id) { id } }',
        {
          id: otherOrg.organization.id,
        },
      );
      expect(own.organization.id).toBe(otherOrg.organization.id);

      const entities = await asB.expectData<{ _entities: unknown[] }>(
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id name } ... on User { id email } } }`,
        {
          r: [
            { __typename: 'Organization', id: owner.organization.id },
            { __typename: 'User', id: owner.user.id },
            { __typename: 'Organization', id: otherOrg.organization.id },
            { __typename: 'User', id: otherOrg.user.id },
          ],
        },
      );
      expect(entities._entities).toEqual([
        null,
        null,
        { id: otherOrg.organization.id, name: otherOrg.organization.name },
        { id: otherOrg.user.id, email: otherOrg.user.email },
      ]);
    });

    it("cannot change or remove another tenant's members or tokens", async () => {
      const asB = accounts.gql.as(otherOrg.accessToken);
      expect(
        await asB.errorCodes(
          'mutation ($u: ID!) { updateMemberRole(userId: $u, role: USER) { role } }',
          { u: member.user.id },
        ),
      ).toEqual(['NOT_FOUND']);
      expect(
        await asB.errorCodes('mutation ($u: ID!) { removeMember(userId: $u) }', {
          u: member.user.id,
        }),
      ).toEqual(['NOT_FOUND']);
      expect(await asB.errorCodes('mutation { removeMember(userId: "not-a-uuid") }')).toEqual([
        'NOT_FOUND',
      ]);
      const tokens = await accounts.gql
        .as(owner.accessToken)
        .expectData<{ apiTokens: { id: string }[] }>('{ apiTokens { id } }');
      expect(
        await asB.errorCodes('mutation ($id: ID!) { revokeApiToken(id: $id) { id } }', {
          id: tokens.apiTokens[0].id,
        }),
      ).toEqual(['NOT_FOUND']);
      const own = await asB.expectData<{
        apiTokens: unknown[];
        organization: { members: { user: { id: string } }[] };
      }>('{ apiTokens { id } organization { members { user { id } } } }');
      expect(own.apiTokens).toEqual([]);
      expect(own.organization.members.map((m) => m.user.id)).toEqual([otherOrg.user.id]);
    });
  });

  describe('platform admins', () => {
    it("have their membership's role inside an organization: a plain member gets no owner powers", async () => {
      const claims = JSON.parse(
        Buffer.from(admin.accessToken.split('.')[1], 'base64url').toString(),
      ) as { role: string; scope: string };
      expect(claims.role).toBe('ADMIN');
      expect(claims.scope.split(' ').sort()).toEqual(
        ['contacts:write', 'devices:read', 'messages:read', 'messages:send'].sort(),
      );
      const asAdmin = accounts.gql.as(admin.accessToken);
      for (const owners of [
        'mutation { updateOrganization(input: { timezone: "UTC" }) { id } }',
        'mutation { createApiToken(name: "x", scopes: ["messages:read"]) { token } }',
        'mutation { closeOrganization { status } }',
        `mutation { inviteMember(email: "${randomUUID()}@example.test", role: CUSTOMER) { id } }`,
      ]) {
        expect(await asAdmin.errorCodes(owners)).toEqual(['FORBIDDEN']);
      }
      // A refreshed token says the same.
      const again = await logIn(accounts, admin.user.email);
      const refreshed = await accounts.gql.expectData<{
        refreshSession: { accessToken: string };
      }>('mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }', {
        t: again.refreshToken,
      });
      expect(
        await accounts.gql
          .as(refreshed.refreshSession.accessToken)
          .errorCodes('mutation { updateOrganization(input: { timezone: "UTC" }) { id } }'),
      ).toEqual(['FORBIDDEN']);
      // As an owner of an organization, an admin has the owner's powers there.
      const ownOrg = await signUp(accounts);
      await makePlatformAdmin(accounts.db, ownOrg.user.id);
      const asOwnerAdmin = await logIn(accounts, ownOrg.user.email);
      await accounts.gql
        .as(asOwnerAdmin.accessToken)
        .expectData('mutation { updateOrganization(input: { timezone: "UTC" }) { id } }');
    });

    const ADMIN_ORG =
      'query ($id: ID!, $reason: String) { adminOrganization(id: $id, reason: $reason) { id slug } }';

    it('need a reason: none, blank or too short is REASON_REQUIRED', async () => {
      const asAdmin = accounts.gql.as(admin.accessToken);
      const id = otherOrg.organization.id;
      expect(await asAdmin.errorCodes(ADMIN_ORG, { id })).toEqual(['REASON_REQUIRED']);
      expect(await asAdmin.errorCodes(ADMIN_ORG, { id, reason: '   ' })).toEqual([
        'REASON_REQUIRED',
      ]);
      expect(await asAdmin.errorCodes(ADMIN_ORG, { id, reason: 'x' })).toEqual(['REASON_REQUIRED']);
      expect(await asAdmin.errorCodes('{ adminOrganizations { id } }')).toEqual([
        'REASON_REQUIRED',
      ]);
    });

    it('read any tenant with a reason, and each access is audited on compliance.audit.v1', async () => {
      const reason = `ticket ${randomUUID()}`;
      const data = await accounts.gql
        .as(admin.accessToken)
        .expectData<{ adminOrganization: { id: string; slug: string } }>(ADMIN_ORG, {
          id: otherOrg.organization.id,
          reason,
        });
      expect(data.adminOrganization).toEqual({
        id: otherOrg.organization.id,
        slug: otherOrg.organization.slug,
      });
      const entry = await audit.waitFor((e) => e.message.reason === reason);
      expect(entry.key).toBe(otherOrg.organization.id);
      expect(entry.message).toMatchObject({
        action: 'organization.read',
        orgId: otherOrg.organization.id,
        resourceType: 'organization',
        resourceId: otherOrg.organization.id,
        privileged: true,
        sourceService: 'accounts',
        actor: { id: admin.user.id, orgId: owner.organization.id },
      });
      expect(entry.message.outcome).toBe(1); // SUCCESS

      const list = await accounts.gql
        .as(admin.accessToken)
        .expectData<{ adminOrganizations: { id: string }[] }>(
          'query ($r: String) { adminOrganizations(reason: $r, first: 200) { id } }',
          {
            r: `list ${reason}`,
          },
        );
      expect(list.adminOrganizations.map((o) => o.id)).toEqual(
        expect.arrayContaining([owner.organization.id, otherOrg.organization.id]),
      );
      await audit.waitFor(
        (e) => e.message.reason === `list ${reason}` && e.message.action === 'organization.list',
      );
    });

    it('records failed admin reads too', async () => {
      const reason = `missing org ${randomUUID()}`;
      expect(
        await accounts.gql
          .as(admin.accessToken)
          .errorCodes(ADMIN_ORG, { id: randomUUID(), reason }),
      ).toEqual(['NOT_FOUND']);
      const entry = await audit.waitFor((e) => e.message.reason === reason);
      expect(entry.message.outcome).toBe(3); // FAILED
    });
  });
});
