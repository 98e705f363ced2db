// Mails leave through the outbox → accounts.email.v1 → the mail sender → SMTP; the test reads
// them from a local SMTP server and follows their links.
import { Topics } from '@switchboard/contracts';
import { ownerMailDraft } from '@switchboard/events';
import { EventWatcher, Mailbox, stackSetting, TestEventProducer } from '@switchboard/testing';

import {
  AUTH_FIELDS,
  PASSWORD,
  signUp,
  startAccounts,
  uniqueIdentity,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

describe('flows through email', () => {
  let accounts: AccountsUnderTest;
  const mailbox = new Mailbox();

  beforeAll(async () => {
    const smtpUrl = await mailbox.start();
    accounts = await startAccounts({
      env: { SMTP_URL: smtpUrl, MAIL_FROM: 'Switchboard <no-reply@switchboard.test>' },
    });
  });
  afterAll(async () => {
    await accounts?.stop();
    await mailbox.stop();
  });

  it('verifies the email address with the link mailed at sign-up, once', async () => {
    const session = await signUp(accounts);
    expect(session.user.emailVerified).toBe(false);
    // The first mail waits for the consumer group to form.
    const token = await mailbox.linkToken(session.user.email, '/verify-email', 45_000);
    expect(token).toMatch(/^sbv_/);
    const verified = await accounts.gql.expectData<{ verifyEmail: { emailVerified: boolean } }>(
      'mutation ($t: String!) { verifyEmail(token: $t) { emailVerified } }',
      { t: token },
    );
    expect(verified.verifyEmail.emailVerified).toBe(true);
    expect(
      await accounts.gql.errorCodes('mutation ($t: String!) { verifyEmail(token: $t) { id } }', {
        t: token,
      }),
    ).toEqual(['INVALID_TOKEN']);
    const me = await accounts.gql
      .as(session.accessToken)
      .expectData<{ me: { emailVerified: boolean } }>('{ me { emailVerified } }');
    expect(me.me.emailVerified).toBe(true);
  });

  it('resets a forgotten password with the mailed link; every session ends', async () => {
    const session = await signUp(accounts);
    const email = session.user.email;
    expect(
      await accounts.gql.expectData('mutation ($e: String!) { requestPasswordReset(email: $e) }', {
        e: email,
      }),
    ).toEqual({
      requestPasswordReset: true,
    });
    // Unknown addresses get the same answer and no mail.
    expect(
      await accounts.gql.expectData('mutation ($e: String!) { requestPasswordReset(email: $e) }', {
        e: `x${email}`,
      }),
    ).toEqual({ requestPasswordReset: true });
    const token = await mailbox.linkToken(email, '/reset-password');
    expect(
      await accounts.gql.errorCodes(
        'mutation ($t: String!) { resetPassword(token: $t, newPassword: "password1234") }',
        { t: token },
      ),
    ).toEqual(['WEAK_PASSWORD']);
    const newPassword = 'an entirely new passphrase';
    await accounts.gql.expectData(
      'mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }',
      {
        t: token,
        p: newPassword,
      },
    );
    expect(
      await accounts.gql.errorCodes(
        'mutation ($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }',
        {
          t: token,
          p: newPassword,
        },
      ),
    ).toEqual(['INVALID_TOKEN']);
    const logIn = (password: string) =>
      accounts.gql.errorCodes(`mutation ($i: LogInInput!) { logIn(input: $i) { accessToken } }`, {
        i: { email, password },
      });
    expect(await logIn(PASSWORD)).toEqual(['INVALID_CREDENTIALS']);
    expect(await logIn(newPassword)).toEqual([]);
    expect(
      await accounts.gql.errorCodes(
        'mutation ($t: String!) { refreshSession(refreshToken: $t) { accessToken } }',
        {
          t: session.refreshToken,
        },
      ),
    ).toEqual(['INVALID_TOKEN']);
    await mailbox.waitFor(email, /password was reset/);
  });

  it('invites by email; the invitee follows the link, creates an account and joins as USER', async () => {
    const watcher = await EventWatcher.start(Topics.accounts.user);
    try {
      const owner = await signUp(accounts);
      const invitee = uniqueIdentity('invitee').email;
      const invited = await accounts.gql
        .as(owner.accessToken)
        .expectData<{ inviteMember: { id: string; role: string } }>(
          'mutation ($e: String!) { inviteMember(email: $e, role: USER) { id email role expiresAt } }',
          { e: invitee },
        );
      expect(invited.inviteMember.role).toBe('USER');
      const mail = await mailbox.waitFor(invitee, /accept-invitation/);
      expect(mail.raw).toContain(owner.organization.name);
      const token = await mailbox.linkToken(invitee, '/accept-invitation');

      const ACCEPT = `mutation ($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { ${AUTH_FIELDS} } }`;
      expect(await accounts.gql.errorCodes(ACCEPT, { i: { token } })).toEqual(['WEAK_PASSWORD']);
      const accepted = await accounts.gql.expectData<{ acceptInvitation: AuthPayload }>(ACCEPT, {
        i: { token, password: PASSWORD, displayName: 'Ivy' },
      });
      expect(accepted.acceptInvitation.organization.id).toBe(owner.organization.id);
      expect(accepted.acceptInvitation.user).toMatchObject({ email: invitee, emailVerified: true });
      expect(await accounts.gql.errorCodes(ACCEPT, { i: { token, password: PASSWORD } })).toEqual([
        'INVALID_TOKEN',
      ]);

      const members = await accounts.gql
        .as(owner.accessToken)
        .expectData<{ organization: { members: { role: string; user: { email: string } }[] } }>(
          '{ organization { members { role user { email } } } }',
        );
      expect(members.organization.members).toEqual([
        { role: 'CUSTOMER', user: { email: owner.user.email } },
        { role: 'USER', user: { email: invitee } },
      ]);
      const joined = await watcher.waitFor(
        (e) =>
          e.message.userId === accepted.acceptInvitation.user.id &&
          e.message.event.case === 'membershipChanged' &&
          e.message.event.value.orgId === owner.organization.id,
      );
      expect(joined.headers.ce_type).toBe('switchboard.accounts.v1.MembershipChanged');
    } finally {
      await watcher.stop();
    }
  });

  it("mails an organization's owners when another service asks (to_organization_owners)", async () => {
    const owner = await signUp(accounts);
    const member = uniqueIdentity('member').email;
    await accounts.gql
      .as(owner.accessToken)
      .expectData('mutation ($e: String!) { inviteMember(email: $e, role: USER) { id } }', {
        e: member,
      });
    const token = await mailbox.linkToken(member, '/accept-invitation');
    await accounts.gql.expectData(
      `mutation ($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { ${AUTH_FIELDS} } }`,
      { i: { token, password: PASSWORD } },
    );
    const producer = new TestEventProducer(stackSetting('KAFKA_BROKERS').split(','));
    try {
      // As messaging's outbox writes it when it disables a failing webhook endpoint.
      const draft = ownerMailDraft({
        orgId: owner.organization.id,
        template: 'WEBHOOK_ENDPOINT_DISABLED',
        variables: { endpoint_url: 'https://hooks.example.com/sms', disabled_at: 'today' },
      });
      await producer.publish(draft.topic, draft.key, draft.event, {
        orgId: owner.organization.id,
        service: 'messaging',
      });
      const mail = await mailbox.waitFor(owner.user.email, /hooks\.example\.com/);
      expect(mail.raw).toContain('A webhook endpoint was disabled');
      // Only owners: the member gets nothing but the invitation.
      expect(mailbox.mails.filter((m) => m.to.includes(member))).toHaveLength(1);
    } finally {
      await producer.stop();
    }
  });

  it('lets an existing user accept an invitation into a second organization', async () => {
    const ownerA = await signUp(accounts);
    const ownerB = await signUp(accounts);
    await accounts.gql
      .as(ownerA.accessToken)
      .expectData('mutation ($e: String!) { inviteMember(email: $e, role: CUSTOMER) { id } }', {
        e: ownerB.user.email,
      });
    const token = await mailbox.linkToken(ownerB.user.email, '/accept-invitation');
    const accepted = await accounts.gql.expectData<{ acceptInvitation: AuthPayload }>(
      `mutation ($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { ${AUTH_FIELDS} } }`,
      { i: { token } },
    );
    expect(accepted.acceptInvitation.organization.id).toBe(ownerA.organization.id);
    const mine = await accounts.gql
      .as(accepted.acceptInvitation.accessToken)
      .expectData<{ myOrganizations: { role: string; organization: { id: string } }[] }>(
        '{ myOrganizations { role organization { id } } }',
      );
    expect(mine.myOrganizations.map((m) => [m.organization.id, m.role])).toEqual(
      expect.arrayContaining([
        [ownerA.organization.id, 'CUSTOMER'],
        [ownerB.organization.id, 'CUSTOMER'],
      ]),
    );
    // logIn picks an organization by slug.
    const login = await accounts.gql.expectData<{ logIn: AuthPayload }>(
      `mutation ($i: LogInInput!) { logIn(input: $i) { ${AUTH_FIELDS} } }`,
      {
        i: {
          email: ownerB.user.email,
          password: PASSWORD,
          organizationSlug: ownerA.organization.slug,
        },
      },
    );
    expect(login.logIn.organization.id).toBe(ownerA.organization.id);
  });
});
