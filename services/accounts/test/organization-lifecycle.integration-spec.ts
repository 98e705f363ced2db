// Organizations from sign-up to purge: events, owners, closure, the purge job (injected clock).
import { Topics } from '@switchboard/contracts';
import { EventWatcher, ManualClock } from '@switchboard/testing';
import { OrganizationPurgeJob } from '../src/purge/organization-purge.job';
import {
  addMember,
  asSuperuser,
  logIn,
  PASSWORD,
  signUp,
  startAccounts,
  uniqueIdentity,
  type AccountsUnderTest,
} from './harness';

const DAY = 86_400_000;

describe('organization lifecycle', () => {
  let accounts: AccountsUnderTest;
  const clock = new ManualClock();
  let orgEvents: EventWatcher<typeof Topics.accounts.organization.schema>;
  let userEvents: EventWatcher<typeof Topics.accounts.user.schema>;

  beforeAll(async () => {
    [orgEvents, userEvents] = await Promise.all([
      EventWatcher.start(Topics.accounts.organization),
      EventWatcher.start(Topics.accounts.user),
    ]);
    accounts = await startAccounts({ clock });
  });
  afterAll(async () => {
    await accounts?.stop();
    await Promise.all([orgEvents?.stop(), userEvents?.stop()]);
  });

  it('announces sign-ups: organization created, user created, owner membership added', async () => {
    const who = uniqueIdentity();
    const session = await signUp(accounts, { email: who.email, organizationSlug: who.slug });
    const created = await orgEvents.waitFor(
      (e) => e.key === session.organization.id && e.message.event.case === 'created',
    );
    expect(created.headers).toMatchObject({
      ce_type: 'switchboard.accounts.v1.OrganizationCreated',
      ce_source: '/switchboard/accounts',
      ce_orgid: session.organization.id,
    });
    const org =
      created.message.event.case === 'created'
        ? created.message.event.value.organization
        : undefined;
    expect(org).toMatchObject({
      orgId: session.organization.id,
      slug: who.slug,
      timezone: 'UTC',
      defaultCountry: 'US',
      status: 1,
    });
    const user = await userEvents.waitFor(
      (e) => e.key === session.user.id && e.message.event.case === 'userCreated',
    );
    expect(user.message.event.value).toMatchObject({ email: who.email, emailVerified: false });
    await userEvents.waitFor(
      (e) =>
        e.key === session.user.id &&
        e.message.event.case === 'membershipChanged' &&
        e.message.event.value.orgId === session.organization.id &&
        e.message.event.value.role === 2, // CUSTOMER
    );
  });

  it('validates sign-up input', async () => {
    const who = uniqueIdentity();
    const attempt = (input: Record<string, unknown>) =>
      accounts.gql.errorCodes('mutation ($i: SignUpInput!) { signUp(input: $i) { accessToken } }', {
        i: {
          email: who.email,
          password: PASSWORD,
          organizationName: who.name,
          organizationSlug: who.slug,
          ...input,
        },
      });
    expect(await attempt({ email: 'not-an-email' })).toEqual(['INVALID_EMAIL']);
    expect(await attempt({ password: 'short' })).toEqual(['WEAK_PASSWORD']);
    expect(await attempt({ password: 'password1234' })).toEqual(['WEAK_PASSWORD']);
    expect(await attempt({ organizationSlug: 'www' })).toEqual(['INVALID_SLUG']);
    expect(await attempt({ organizationSlug: 'Bad_Slug' })).toEqual(['INVALID_SLUG']);
    expect(await attempt({ timezone: 'Mars/Base' })).toEqual(['INVALID_TIMEZONE']);
    expect(await attempt({ defaultCountry: 'XX' })).toEqual(['INVALID_COUNTRY']);
    const first = await signUp(accounts, { email: who.email, organizationSlug: who.slug });
    expect(first.organization.slug).toBe(who.slug);
    expect(await attempt({ organizationSlug: uniqueIdentity().slug })).toEqual(['EMAIL_TAKEN']);
    expect(await attempt({ email: uniqueIdentity().email })).toEqual(['SLUG_TAKEN']);
    expect(
      await attempt({ email: who.email.toUpperCase(), organizationSlug: uniqueIdentity().slug }),
    ).toEqual(['EMAIL_TAKEN']);
  });

  it('keeps at least one owner', async () => {
    const owner = await signUp(accounts);
    const asOwner = accounts.gql.as(owner.accessToken);
    expect(
      await asOwner.errorCodes(
        'mutation ($u: ID!) { updateMemberRole(userId: $u, role: USER) { role } }',
        { u: owner.user.id },
      ),
    ).toEqual(['LAST_OWNER']);
    expect(
      await asOwner.errorCodes('mutation ($u: ID!) { removeMember(userId: $u) }', {
        u: owner.user.id,
      }),
    ).toEqual(['LAST_OWNER']);
    const member = await addMember(accounts, owner, 'USER');
    await asOwner.expectData(
      'mutation ($u: ID!) { updateMemberRole(userId: $u, role: CUSTOMER) { role } }',
      { u: member.user.id },
    );
    // Now there are two owners: the first may leave.
    expect(
      await asOwner.expectData('mutation ($u: ID!) { removeMember(userId: $u) }', {
        u: owner.user.id,
      }),
    ).toEqual({ removeMember: true });
    expect(
      await accounts.gql
        .as(member.accessToken)
        .errorCodes('mutation ($u: ID!) { removeMember(userId: $u) }', { u: member.user.id }),
    ).toEqual(['LAST_OWNER']);
    const change = await userEvents.waitFor(
      (e) =>
        e.key === owner.user.id &&
        e.message.event.case === 'membershipChanged' &&
        e.message.event.value.change === 3,
    );
    expect(change.message.event.value).toMatchObject({
      orgId: owner.organization.id,
      previousRole: 2,
      role: 0,
    });
  });

  it('lets a member leave; a removed member cannot refresh into the organization', async () => {
    const owner = await signUp(accounts);
    const member = await addMember(accounts, owner, 'USER');
    expect(
      await accounts.gql
        .as(member.accessToken)
        .expectData('mutation ($u: ID!) { removeMember(userId: $u) }', { u: member.user.id }),
    ).toEqual({ removeMember: true });
    expect(
      await accounts.gql.errorCodes(
        'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
        { t: member.refreshToken },
      ),
    ).toEqual(['INVALID_TOKEN']);
  });

  it('updates settings and announces which fields changed', async () => {
    const owner = await signUp(accounts);
    const updated = await accounts.gql.as(owner.accessToken).expectData<{
      updateOrganization: { name: string; timezone: string; defaultCountry: string };
    }>('mutation { updateOrganization(input: { name: "Renamed", timezone: "America/Sao_Paulo", defaultCountry: "br" }) { name timezone defaultCountry } }');
    expect(updated.updateOrganization).toEqual({
      name: 'Renamed',
      timezone: 'America/Sao_Paulo',
      defaultCountry: 'BR',
    });
    const event = await orgEvents.waitFor(
      (e) => e.key === owner.organization.id && e.message.event.case === 'updated',
    );
    expect(
      event.message.event.case === 'updated' && event.message.event.value.changedFields,
    ).toEqual(['name', 'timezone', 'default_country']);
  });

  it('closes, reopens, closes again and purges 30 days later, once', async () => {
    clock.reset();
    const owner = await signUp(accounts);
    const asOwner = accounts.gql.as(owner.accessToken);
    const closed = await asOwner.expectData<{
      closeOrganization: { status: string; purgeAt: string; closedAt: string };
    }>('mutation { closeOrganization { status closedAt purgeAt } }');
    expect(closed.closeOrganization.status).toBe('PENDING_DELETION');
    expect(
      new Date(closed.closeOrganization.purgeAt).getTime() -
        new Date(closed.closeOrganization.closedAt).getTime(),
    ).toBe(30 * DAY);
    expect(await asOwner.errorCodes('mutation { closeOrganization { status } }')).toEqual([
      'ORGANIZATION_NOT_ACTIVE',
    ]);
    await orgEvents.waitFor(
      (e) => e.key === owner.organization.id && e.message.event.case === 'deletionScheduled',
    );

    const reopened = await asOwner.expectData<{
      cancelOrganizationClosure: { status: string; purgeAt: string | null };
    }>('mutation { cancelOrganizationClosure { status purgeAt } }');
    expect(reopened.cancelOrganizationClosure).toEqual({ status: 'ACTIVE', purgeAt: null });
    await orgEvents.waitFor(
      (e) => e.key === owner.organization.id && e.message.event.case === 'deletionCanceled',
    );
    expect(await asOwner.errorCodes('mutation { cancelOrganizationClosure { status } }')).toEqual([
      'ORGANIZATION_NOT_CLOSED',
    ]);

    await asOwner.expectData('mutation { closeOrganization { status } }');
    const job = accounts.app.get(OrganizationPurgeJob);
    clock.advance(29 * DAY);
    expect(await job.runOnce()).not.toContain(owner.organization.id);
    clock.advance(1 * DAY + 1000);
    expect(await asOwner.errorCodes('mutation { cancelOrganizationClosure { status } }')).toEqual([
      'ORGANIZATION_NOT_CLOSED',
    ]);
    expect(await job.runOnce()).toContain(owner.organization.id);
    expect(await job.runOnce()).not.toContain(owner.organization.id);

    const deleted = await orgEvents.waitFor(
      (e) => e.key === owner.organization.id && e.message.event.case === 'deleted',
    );
    expect(deleted.message.event.value).toEqual(
      expect.objectContaining({ slug: owner.organization.slug }),
    );
    expect(
      orgEvents.events.filter(
        (e) => e.key === owner.organization.id && e.message.event.case === 'deleted',
      ),
    ).toHaveLength(1);
    await userEvents.waitFor(
      (e) => e.key === owner.user.id && e.message.event.case === 'userDeleted',
    );

    const [org] = await asSuperuser<{ status: string; name: string }>(
      accounts.db,
      'SELECT status, name FROM organizations WHERE id = $1',
      [owner.organization.id],
    );
    expect(org).toEqual({ status: 'DELETED', name: '' });
    expect(
      await asSuperuser(accounts.db, 'SELECT 1 FROM users WHERE id = $1', [owner.user.id]),
    ).toEqual([]);
    expect(
      await asSuperuser(accounts.db, 'SELECT 1 FROM memberships WHERE org_id = $1', [
        owner.organization.id,
      ]),
    ).toEqual([]);
    expect(
      await accounts.gql.errorCodes(
        'mutation ($i: LogInInput!) { logIn(input: $i) { accessToken } }',
        {
          i: { email: owner.user.email, password: PASSWORD },
        },
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
    // The slug is free again.
    const again = await signUp(accounts, { organizationSlug: owner.organization.slug });
    expect(again.organization.slug).toBe(owner.organization.slug);
    clock.reset();
  });

  it('keeps a purged organization member who belongs elsewhere', async () => {
    clock.reset();
    const ownerA = await signUp(accounts);
    const ownerB = await signUp(accounts);
    await addMember(accounts, ownerA, 'USER', ownerB.user.email);
    await accounts.gql
      .as(ownerA.accessToken)
      .expectData('mutation { closeOrganization { status } }');
    clock.advance(31 * DAY);
    expect(await accounts.app.get(OrganizationPurgeJob).runOnce()).toContain(
      ownerA.organization.id,
    );
    clock.reset();
    const session = await logIn(accounts, ownerB.user.email);
    expect(session.organization.id).toBe(ownerB.organization.id);
  });

  it('housekeeping deletes sessions that are over and keeps live ones', async () => {
    clock.reset();
    const owner = await signUp(accounts);
    const other = await logIn(accounts, owner.user.email);
    await accounts.gql.as(other.accessToken).expectData('mutation { logOut }');
    clock.advance(8 * DAY);
    try {
      await accounts.app.get(OrganizationPurgeJob).housekeeping();
      const sessions = await asSuperuser<{ revoked_at: Date | null }>(
        accounts.db,
        'SELECT revoked_at FROM sessions WHERE user_id = $1',
        [owner.user.id],
      );
      expect(sessions).toEqual([{ revoked_at: null }]);
    } finally {
      clock.reset();
    }
    expect(
      await accounts.gql.errorCodes(
        'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
        {
          t: owner.refreshToken,
        },
      ),
    ).toEqual([]);
  });
});
