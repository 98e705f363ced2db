// The console's account-side pages in a real browser against the whole platform: Google sign-in
// (a local OpenID Connect stand-in, e2e/google-stand-in.ts), team roles, compliance settings
// (owner edits, API validation next to the fields, read-only for members), privacy (an export
// downloaded when ready, an erasure with a typed confirmation, the requests with their status),
// the audit log with filters and chain verification (intact, then broken in the database) and
// its export (downloaded through the link), the retention report, the fleet's settings.
// Screenshots go to .stack/logs/console-screenshots/ (40-…).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Topics } from '@switchboard/contracts';
import { sqlAsSuperuser, MailSpool, TestEventProducer } from '@switchboard/testing';
import { platform } from './platform';
import { gateway, PASSWORD } from './support';
import { launchConsoleBrowser, WAIT, type ConsoleBrowser } from './console-browser';

const p = platform();
const origin = new URL(p.graphqlUrl!).origin;
const issuer = p.googleIssuer!;

let ui: ConsoleBrowser;

beforeAll(async () => {
  // The browser goes to Google (the stand-in) and back: its origin is the one other allowed.
  ui = await launchConsoleBrowser({ allowedOrigins: [issuer] });
}, 60_000);

afterAll(async () => {
  await ui?.close();
});

/** Google signs in as whoever the stand-in is told (`login_hint`, as a Google account chooser). */
async function asGoogleUser(email: string): Promise<void> {
  await ui.context.unroute(`${issuer}/auth?**`).catch(() => undefined);
  await ui.context.route(`${issuer}/auth?**`, (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('login_hint', email);
    return route.continue({ url: url.toString() });
  });
}

describe('the console’s account pages', () => {
  const owner = `google-${randomUUID().slice(0, 8)}@example.com`;
  const organization = `Google Org ${randomUUID().slice(0, 6)}`;
  const member = `member-${randomUUID().slice(0, 8)}@example.com`;
  let orgId: string;

  it('signs up and in with Google: refresh token in the HttpOnly cookie, nothing in storage', async () => {
    const { page } = ui;
    await asGoogleUser(owner);
    await page.goto(`${origin}/`);
    // Logging in with a Google address that has no account yet says so.
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.getByText('No Switchboard account uses this Google address yet').waitFor(WAIT);
    expect(new URL(page.url()).pathname).toBe('/auth/google/callback');
    await ui.shot('40-google-no-account');
    await page.getByRole('link', { name: 'Back to sign up and log in' }).click();

    // Signing up needs the organization's name first.
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.getByText('Enter your organization’s name first').waitFor(WAIT);
    await page.getByLabel('Organization name').fill(organization);
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.getByRole('heading', { name: organization }).waitFor(WAIT);
    expect(new URL(page.url()).pathname).toBe('/');
    await ui.shot('41-google-signed-up');
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.evaluate('document.cookie')).toBe('');
    // (Cookies ignore ports: the stand-in's own session cookies on 127.0.0.1 are not ours.)
    const cookies = (await ui.context.cookies(`${origin}/console/session`)).filter((c) =>
      c.name.startsWith('sb_'),
    );
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ['sb_console_refresh', true, 'Strict'],
    ]);
    await page.reload();
    await page.getByRole('heading', { name: organization }).waitFor(WAIT);

    // Logged out, "Log in with Google" signs the same account in again.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.getByRole('heading', { name: organization }).waitFor(WAIT);
  });

  it('changes a member’s role, and shows the API’s refusal to demote the last owner', async () => {
    const { page, nav } = ui;
    await nav('Team').click();
    await page.getByLabel('Email to invite').fill(member);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('cell', { name: member, exact: true }).waitFor(WAIT);
    const token = await new MailSpool(p.mailSpool).linkToken(member, 'accept-invitation', 45_000);
    const accepted = await gateway().expectData<{
      acceptInvitation: { organization: { id: string } };
    }>(
      'mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { organization { id } } }',
      {
        i: { token, password: PASSWORD, displayName: 'Mia Member' },
      },
    );
    orgId = accepted.acceptInvitation.organization.id;

    await nav('Dashboard').click();
    await nav('Team').click();
    const role = page.getByRole('combobox', { name: `Role of ${member}` });
    await role.waitFor(WAIT);
    await role.selectOption('CUSTOMER');
    await page.getByRole('button', { name: `Change the role of ${member}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${member} is now Owner.` })
      .waitFor(WAIT);
    await role.selectOption('USER');
    await page.getByRole('button', { name: `Change the role of ${member}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${member} is now User.` })
      .waitFor(WAIT);

    // The only owner demoting themself: refused, and the page says why.
    await page.getByRole('combobox', { name: `Role of ${owner}` }).selectOption('USER');
    await page.getByRole('button', { name: `Change the role of ${owner}` }).click();
    await page.getByRole('alert').filter({ hasText: 'LAST_OWNER' }).waitFor(WAIT);
    await ui.shot('42-team-roles');
  });

  it('edits the compliance settings, with the API’s validation next to the fields; members only read them', async () => {
    const { page, nav } = ui;
    await nav('Compliance').click();
    await page.getByRole('heading', { name: 'Compliance settings' }).waitFor(WAIT);
    await page.getByLabel('Window start').fill('09:00');
    await page.getByLabel('Window end').fill('08:30');
    await page.getByLabel('Message bodies (days)').fill('120');
    await page.getByRole('button', { name: 'Save settings' }).click();
    // The API refuses (INVALID_POLICY); each problem shows next to its field.
    const endError = page.locator('[data-field-error="windowEndMinute"]');
    await endError.filter({ hasText: 'must be after windowStartMinute' }).waitFor(WAIT);
    await page
      .locator('[data-field-error="bodyRetentionDays"]')
      .filter({ hasText: 'from 1 to 90' })
      .waitFor(WAIT);
    expect(await page.getByLabel('Window end').getAttribute('aria-invalid')).toBe('true');
    await ui.shot('43-compliance-invalid');

    await page.getByLabel('Window end').fill('20:00');
    await page.getByLabel('Message bodies (days)').fill('30');
    await page.getByLabel('Audit log (days)').fill('400');
    await page.getByLabel('Campaign messages only to numbers with recorded consent').check();
    await page.getByLabel('Transactional messages outside the window').selectOption('HOLD');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Saved \(version \d+\)\.$/ })
      .waitFor(WAIT);
    expect(await page.locator('[data-field-error]').count()).toBe(0);
    await page.reload();
    await page.getByLabel('Window start').waitFor(WAIT);
    expect(await page.getByLabel('Window start').inputValue()).toBe('09:00');
    expect(await page.getByLabel('Window end').inputValue()).toBe('20:00');
    expect(await page.getByLabel('Message bodies (days)').inputValue()).toBe('30');
    expect(await page.getByLabel('Audit log (days)').inputValue()).toBe('400');
    expect(
      await page.getByLabel('Campaign messages only to numbers with recorded consent').isChecked(),
    ).toBe(true);
    await ui.shot('44-compliance-saved');

    // A member (not the owner) sees the same settings, read-only.
    const guest = await ui.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const tab = await guest.newPage();
      await tab.goto(`${origin}/`);
      await tab.getByRole('button', { name: 'Log in', exact: true }).click();
      await tab.getByLabel('Email').fill(member);
      await tab.getByLabel('Password').fill(PASSWORD);
      await tab.getByRole('button', { name: 'Log in', exact: true }).click();
      await tab
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Compliance' })
        .click();
      await tab.getByTestId('read-only').waitFor(WAIT);
      expect(await tab.getByLabel('Window end').inputValue()).toBe('20:00');
      expect(await tab.getByLabel('Window end').isDisabled()).toBe(true);
      expect(await tab.getByRole('button', { name: 'Save settings' }).count()).toBe(0);
      await ui.shot('45-compliance-read-only', tab);
    } finally {
      await guest.close();
    }
  });

  it('exports data and downloads it when ready; erases a number after a typed confirmation', async () => {
    const { page, nav } = ui;
    await nav('Privacy').click();
    await page.getByRole('button', { name: 'Request the export' }).click();
    // The status changes without a reload (polled) until every service has answered.
    const exportRow = page.locator('tr[data-status]').filter({ hasText: 'Export' }).first();
    await exportRow.waitFor(WAIT);
    const link = page.getByRole('link', { name: 'Download the export' }).first();
    await link.waitFor(WAIT);
    expect(await exportRow.getAttribute('data-status')).toBe('COMPLETED');
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/downloads\//);
    const download = await ui.context.request.get(`${origin}${href}`);
    expect(download.status()).toBe(200);
    const document = JSON.parse(await download.text()) as Record<string, unknown>;
    expect(JSON.stringify(document)).toContain(owner);
    await ui.shot('46-privacy-export');

    const number = '+14155550166';
    await page.getByLabel('Phone number to erase (E.164)').fill(number);
    await page.getByLabel('Type the number again to confirm').fill('+14155550167');
    const erase = page.getByRole('button', { name: 'Erase this number' });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel('Type the number again to confirm').fill(number);
    expect(await erase.isDisabled()).toBe(false);
    await erase.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Erasure of ${number} requested.` })
      .waitFor(WAIT);
    await page.locator('tr[data-status="COMPLETED"]').filter({ hasText: 'Erasure' }).waitFor(WAIT);
    await ui.shot('47-privacy-erasure');
  });

  it('lists the audit log with filters and pages, and verifies its chain: intact, then where it breaks', async () => {
    const { page, nav } = ui;
    // More entries than a page holds (25): each "Add a phone" is an audited enrollment.
    await nav('Devices').click();
    let token = '';
    for (let i = 0; i < 26; i++) {
      await page.getByRole('button', { name: 'Add a phone' }).click();
      const shown = page.locator('code.token').filter({ hasNotText: token || '\u0000' });
      await shown.waitFor(WAIT);
      token = (await shown.textContent())!;
    }
    await nav('Audit log').click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor(WAIT);
    await page.getByLabel('Action').fill('device_enrollment.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    // Entries arrive through the audit topic: the filter is applied again until a second page
    // exists (each time waiting for the API's answer), then "Older entries" loads it.
    const rows = page.locator('tr[data-sequence]');
    const older = page.getByRole('button', { name: 'Older entries' });
    const deadline = Date.now() + 60_000;
    while ((await older.count()) === 0) {
      if (Date.now() > deadline) throw new Error(`only ${await rows.count()} enrollments listed`);
      const answered = page.waitForResponse(
        (r) => r.request().postData()?.includes('ConsoleAuditLog') ?? false,
      );
      await page.getByRole('button', { name: 'Filter' }).click();
      await answered;
    }
    expect(await rows.count()).toBe(25);
    await older.click();
    await rows.nth(25).waitFor(WAIT);
    await older.waitFor({ state: 'detached', ...WAIT });
    expect(await page.getByRole('cell', { name: 'device_enrollment.create' }).count()).toBe(26);
    // Other filters: the settings change, the role changes (older than the enrollments).
    await page.getByLabel('Action').fill('compliance_policy.update');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'compliance_policy.update' }).first().waitFor(WAIT);
    expect(await page.getByRole('cell', { name: 'device_enrollment.create' }).count()).toBe(0);
    await page.getByLabel('Action').fill('membership.update');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page
      .getByRole('cell', { name: 'compliance_policy.update' })
      .first()
      .waitFor({ state: 'detached', ...WAIT });
    // Both role changes (entries arrive through the audit topic: waited for, not assumed).
    await page.getByRole('cell', { name: 'membership.update' }).nth(1).waitFor(WAIT);

    await page.getByRole('button', { name: 'Verify the chain' }).click();
    const result = page.getByTestId('chain-result');
    await result.filter({ hasText: /^Intact: \d+ entries checked/ }).waitFor(WAIT);
    await ui.shot('48-audit-log-intact');

    // An entry changed directly in the database: the page names it.
    const database = new URL(p.process('compliance').databaseUrl!).pathname.slice(1);
    const [changed] = await sqlAsSuperuser<{ sequence: number }>(
      database,
      `UPDATE audit_log SET actor_id = 'someone-else'
        WHERE org_id = $1 AND action = 'compliance_policy.update' RETURNING sequence`,
      [orgId],
    );
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await result
      .filter({
        hasText: `Broken at entry #${changed.sequence}: the entry itself was changed (HASH_MISMATCH).`,
      })
      .waitFor(WAIT);
    await ui.shot('49-audit-log-broken');
  });

  it('exports the audit log with the filter applied and downloads it through the link', async () => {
    const { page } = ui;
    await page.getByLabel('Action').fill('device_enrollment.create');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'device_enrollment.create' }).nth(24).waitFor(WAIT);
    await page.getByRole('button', { name: 'Export the audit log' }).click();
    const link = page.getByRole('link', { name: 'Download the audit log export' });
    await link.waitFor(WAIT);
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/downloads\/audit-log\/[^?]+\?token=/);
    await ui.shot('55-audit-log-export');
    const download = await ui.context.request.get(`${origin}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toContain('application/x-ndjson');
    const entries = (await download.text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { action: string });
    // Every enrollment of the earlier test, and nothing the filter leaves out.
    expect(entries).toHaveLength(26);
    expect(new Set(entries.map((e) => e.action))).toEqual(new Set(['device_enrollment.create']));
    // Another filter: the earlier link is gone (it was for the earlier filter).
    await page.getByLabel('Action').fill('membership.update');
    await page.getByRole('button', { name: 'Filter' }).click();
    await link.waitFor({ state: 'detached', ...WAIT });
  });

  it('shows the retention report: what each service deleted or redacted, and when', async () => {
    const { page, nav } = ui;
    // messaging's retention job reports on its topic; the test plays that job for this
    // organization (the real one runs at night), compliance's consumer stores what it hears.
    const producer = new TestEventProducer(p.brokers!);
    const finished = new Date(Date.UTC(2026, 10, 29, 3, 0, 5));
    try {
      for (const [job, counts, seconds] of [
        ['message-bodies', { redacted: 37n }, 5],
        ['message-metadata', { deleted: 4n }, 9],
      ] as const) {
        const at = new Date(finished.getTime() + seconds * 1000);
        await producer.publish(
          Topics.compliance.retentionReport,
          orgId,
          {
            runId: randomUUID(),
            orgId,
            service: 'messaging',
            job,
            startedAt: timestampFromDate(new Date(at.getTime() - 2000)),
            finishedAt: timestampFromDate(at),
            counts,
            policy: {
              bodyRetentionDays: 30,
              metadataRetentionMonths: 24,
              auditRetentionDays: 400,
              requestLogRetentionDays: 30,
            },
            policyVersion: 2n,
          },
          { service: 'messaging', orgId },
        );
      }
    } finally {
      await producer.stop();
    }
    await nav('Compliance').click();
    const runs = page.locator('tr[data-retention-run]');
    // Stored through the topic: the page is opened again until both runs are listed.
    const deadline = Date.now() + 60_000;
    await page.getByRole('heading', { name: 'Retention report' }).waitFor(WAIT);
    while ((await runs.count()) < 2) {
      if (Date.now() > deadline) throw new Error(`${await runs.count()} retention runs listed`);
      const answered = page.waitForResponse(
        (r) => r.request().postData()?.includes('ConsoleRetentionReport') ?? false,
      );
      await page.reload();
      await answered;
      await page.getByRole('heading', { name: 'Retention report' }).waitFor(WAIT);
    }
    // Newest first, in plain words.
    expect(await runs.nth(0).locator('td').allInnerTexts()).toEqual([
      expect.any(String),
      'messaging',
      'message-metadata',
      '4 deleted',
      'bodies 30 d, metadata 24 mo, audit 400 d, logs 30 d (version 2)',
    ]);
    expect(await runs.nth(1).locator('td').nth(3).innerText()).toBe('37 redacted');
    expect(await runs.nth(0).locator('time').getAttribute('datetime')).toBe(
      new Date(finished.getTime() + 9000).toISOString(),
    );
    await page.getByRole('heading', { name: 'Retention report' }).scrollIntoViewIfNeeded();
    await ui.shot('56-retention-report');
  });

  it('changes the organization’s device settings (owner); a member sees they are the owner’s', async () => {
    const { page, nav } = ui;
    await nav('Devices').click();
    const approval = page.getByLabel('Phones registered with a multi-use token wait for approval');
    await approval.waitFor(WAIT);
    expect(await approval.isChecked()).toBe(true);
    // By keyboard: focus the box, Space unticks it, the Save button submits.
    await approval.focus();
    await page.keyboard.press('Space');
    expect(await approval.isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Save device settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Device settings saved.' }).waitFor(WAIT);
    // After a reload (a new session's cache): what devices stored.
    await page.reload();
    await approval.waitFor(WAIT);
    expect(await approval.isChecked()).toBe(false);
    expect(await page.locator('[data-field-error]').count()).toBe(0);
    await ui.shot('57-device-settings');

    const guest = await ui.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const tab = await guest.newPage();
      await tab.goto(`${origin}/`);
      await tab.getByRole('button', { name: 'Log in', exact: true }).click();
      await tab.getByLabel('Email').fill(member);
      await tab.getByLabel('Password').fill(PASSWORD);
      await tab.getByRole('button', { name: 'Log in', exact: true }).click();
      await tab
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Devices' })
        .click();
      await tab.getByTestId('device-settings-owner-only').waitFor(WAIT);
      expect(await tab.getByRole('button', { name: 'Save device settings' }).count()).toBe(0);
      await ui.shot('58-device-settings-member', tab);
    } finally {
      await guest.close();
    }
  });

  it('fits a phone’s width (360 px) and breaks no rule of the page', async () => {
    const { page, nav } = ui;
    await page.setViewportSize({ width: 360, height: 780 });
    for (const label of ['Compliance', 'Audit log', 'Privacy', 'Team', 'Devices']) {
      await nav(label).click();
      await page
        .locator('main h1')
        .filter({ hasText: label === 'Compliance' ? 'Compliance settings' : label })
        .waitFor(WAIT);
      expect([label, await page.evaluate('document.documentElement.scrollWidth')]).toEqual([
        label,
        360,
      ]);
      await ui.shot(
        `5${['Compliance', 'Audit log', 'Privacy', 'Team', 'Devices'].indexOf(label)}-mobile-${label.toLowerCase().replace(' ', '-')}`,
      );
    }
    expect(ui.problems).toEqual([]);
  });
});
