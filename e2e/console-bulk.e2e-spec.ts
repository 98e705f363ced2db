// The console's bulk and money pages in a real browser (Debian's chromium via playwright-core)
// against the whole e2e platform: lists with a CSV import (upload progress, counters, the bad-row
// report), members paged, added, edited (name, attributes), removed and deleted, lists renamed,
// segments; campaigns created with a live template preview,
// previewed, started, paused, resumed and canceled with their progress by status; the wallet
// ledger and a top-up through Stripe Checkout (the local Stripe's session, paid by its signed
// webhook), invoices and plans, Stripe's billing portal; carrier accounts with numbers; GoHighLevel installations; a campaign sent from a chosen route and number.
// Screenshots go to .stack/logs/console-screenshots/ (4x-*.png).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { stackDir } from '@switchboard/testing';
import { telnyxKeyPair } from '../services/messaging/test/support/carrier-test-server';
import { startE2eGhl } from '../services/ghl-sync/test/support/ghl-e2e';
import { platform } from './platform';
import { gateway, PASSWORD, until } from './support';
import { expectText, launchConsoleBrowser, WAIT, type ConsoleBrowser } from './console-browser';
import { paidTopUpSession, postStripeEvent, stripeCustomerOf, stripeEvent } from './stripe-events';

const p = platform();
const origin = new URL(p.graphqlUrl!).origin;
const STRIPE_CHECKOUT = 'https://checkout.stripe.test';
/** Where the local Stripe's billing portal sessions point (services/billing/test/support). */
const STRIPE_PORTAL = 'https://billing.stripe.test';
/** ghl-sync's default GHL_MARKETPLACE_BASE: where the install link goes. */
const GHL_MARKETPLACE = 'https://marketplace.gohighlevel.com';

let ui: ConsoleBrowser;
let page: Page;
let orgId: string;

/** A new owner signed up through the API, then logged in through the console. */
async function signUpAndLogIn(label: string): Promise<void> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const { signUp } = await gateway().expectData<{ signUp: { organization: { id: string } } }>(
    'mutation($input: SignUpInput!) { signUp(input: $input) { organization { id } } }',
    {
      input: {
        email,
        password: PASSWORD,
        organizationName: `${label} ${randomUUID().slice(0, 6)}`,
      },
    },
  );
  orgId = signUp.organization.id;
  await page.goto(`${origin}/`);
  await page.getByRole('button', { name: 'Log in', exact: true }).click(WAIT);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Sends per day by status' }).waitFor(WAIT);
}

beforeAll(async () => {
  ui = await launchConsoleBrowser({
    allowedOrigins: [STRIPE_CHECKOUT, STRIPE_PORTAL, GHL_MARKETPLACE],
  });
  page = ui.page;
  page.on('dialog', (dialog) => void dialog.accept());
  await signUpAndLogIn('console-bulk');
}, 90_000);

afterAll(async () => {
  await ui?.close();
});

describe('the console’s bulk pages', () => {
  it('imports a CSV into a list with progress and the bad-row report, pages and edits its members, and makes a segment', async () => {
    await ui.nav('Lists').click();
    await page.getByRole('heading', { name: 'Lists', exact: true }).waitFor(WAIT);
    await page.getByLabel('List name').fill('Newsletter');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { name: 'Newsletter' }).waitFor(WAIT);

    // 23 good rows, a bad number, a row with a missing cell and a duplicate of line 2 (the
    // report counts file lines, the header being line 1).
    const rows = Array.from(
      { length: 23 },
      (_, i) =>
        `+1415555${String(1000 + i)},Name ${i},${i % 2 === 0 ? 'Berlin' : 'Paris'},${i < 2 ? '' : 'x'}`,
    );
    const csv = [
      'phone,first_name,city,tag',
      ...rows,
      'not-a-number,Bad,Berlin,x',
      '+14155551050,Short',
      '+14155551000,Again,Berlin,y',
    ].join('\n');
    await page.getByLabel('CSV file').setInputFiles({
      name: 'contacts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await page.getByRole('button', { name: 'Upload CSV' }).click();
    const status = page.getByTestId('import-status');
    await expectText(status, 'COMPLETED');
    expect(await status.textContent()).toContain(
      '26 rows read, 23 accepted, 2 rejected, 1 duplicate',
    );
    expect(await status.textContent()).toContain('23 new contacts');
    expect(await page.getByRole('progressbar', { name: 'Upload' }).getAttribute('value')).toBe(
      '100',
    );
    // The bad-row report, read through its signed link, as a table.
    const report = page.getByRole('table', { name: 'Rows not imported' });
    await report.waitFor(WAIT);
    await report.getByRole('row', { name: /^25 phone BAD_NUMBER/ }).waitFor(WAIT);
    await report.getByRole('row', { name: /^26 .*WRONG_COLUMN_COUNT/ }).waitFor(WAIT);
    await report.getByRole('row', { name: /^27 .*DUPLICATE/ }).waitFor(WAIT);
    const download = page.getByRole('link', { name: 'Download the report (CSV)' });
    const reportCsv = await page.evaluate(
      async (href) => (await fetch(href)).text(),
      (await download.getAttribute('href'))!,
    );
    expect(reportCsv.split('\n')[0]).toBe('row,column,reason,detail');
    await ui.shot('40-lists-import-report');

    // Members, 20 a page (Relay cursors), last added first.
    await expectText(page.getByTestId('member-count'), '23 members');
    const members = page.getByRole('table', { name: 'Members of Newsletter' });
    await members.getByRole('row').nth(20).waitFor(WAIT);
    expect(await members.getByRole('row').count()).toBe(21); // header + 20
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectText(page.getByRole('navigation', { name: 'Member pages' }), 'Page 2');
    await until(
      'page 2 of the members',
      async () => (await members.getByRole('row').count()) === 4,
    );
    await page.getByRole('button', { name: 'Previous page' }).click();
    await until('page 1 again', async () => (await members.getByRole('row').count()) === 21);

    // Add a contact by number, then remove it.
    await page.getByLabel('Phone number').fill('+14155559999');
    await page.getByLabel('Name (new contacts)').fill('Walk In');
    await page.getByRole('button', { name: 'Add to list' }).click();
    await expectText(page.getByTestId('member-count'), '24 members');
    await members.getByRole('cell', { name: 'Walk In' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Remove +14155559999 from the list' }).click();
    await expectText(page.getByTestId('member-count'), '23 members');
    await members.getByRole('cell', { name: 'Walk In' }).waitFor({ state: 'detached', ...WAIT });

    // Back on the list, then edited by keyboard (name, attributes replaced; a comma stays in a
    // value), then deleted as a contact (confirmed): gone from the list.
    await page.getByLabel('Phone number').fill('+14155559999');
    await page.getByRole('button', { name: 'Add to list' }).click();
    await expectText(page.getByTestId('member-count'), '24 members');
    await page.getByRole('button', { name: 'Edit +14155559999' }).focus();
    await page.keyboard.press('Enter');
    const edit = page.getByRole('form', { name: 'Edit +14155559999' });
    await edit.waitFor(WAIT);
    // The form opens with the focus in its first field.
    expect(await page.evaluate('document.activeElement.name')).toBe('name');
    expect(await edit.getByLabel('Contact name').inputValue()).toBe('Walk In');
    await edit.getByLabel('Contact name').fill('Walk In Regular');
    await edit.getByLabel(/^Attributes/).fill('city=Hamburg, Altona\nvip=yes');
    await ui.shot('40b-lists-edit-contact');
    await edit.getByRole('button', { name: 'Save contact' }).click();
    await edit.waitFor({ state: 'detached', ...WAIT });
    const walkIn = members.getByRole('row', { name: /\+14155559999/ });
    await walkIn.getByRole('cell', { name: 'Walk In Regular', exact: true }).waitFor(WAIT);
    await walkIn.getByRole('cell', { name: 'city=Hamburg, Altona' }).waitFor(WAIT);
    await walkIn.getByRole('cell', { name: 'vip=yes' }).waitFor(WAIT);
    // A bad attribute line is refused on the page.
    await page.getByRole('button', { name: 'Edit +14155559999' }).click();
    await edit.getByLabel(/^Attributes/).fill('no equals sign');
    await edit.getByRole('button', { name: 'Save contact' }).click();
    await edit.getByRole('alert').filter({ hasText: 'is not attribute=value' }).waitFor(WAIT);
    await edit.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Delete contact +14155559999' }).click();
    await expectText(page.getByTestId('member-count'), '23 members');
    await walkIn.waitFor({ state: 'detached', ...WAIT });
    // Deleted, not just removed: the number added again is a new contact with the new name.
    await page.getByLabel('Phone number').fill('+14155559999');
    await page.getByLabel('Name (new contacts)').fill('Fresh Start');
    await page.getByRole('button', { name: 'Add to list' }).click();
    await walkIn.getByRole('cell', { name: 'Fresh Start', exact: true }).waitFor(WAIT);
    expect(await walkIn.textContent()).not.toContain('vip=yes');
    await page.getByRole('button', { name: 'Delete contact +14155559999' }).click();
    await expectText(page.getByTestId('member-count'), '23 members');
    await walkIn.waitFor({ state: 'detached', ...WAIT });

    // A segment: the contacts whose attributes hold city=Berlin (12 of the 23).
    await page.getByLabel('List name').fill('Berliners');
    await page.getByLabel(/^Segment filter/).fill('city=Berlin');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByRole('heading', { name: 'Berliners' }).waitFor(WAIT);
    await expectText(page.getByTestId('member-count'), '12 members');
    await page.getByRole('button', { name: /Berliners.*segment: city=Berlin/ }).waitFor(WAIT);
    // Renamed: the heading and the list of lists follow.
    await page.getByLabel('New name').fill('Berlin fans');
    await page.getByRole('button', { name: 'Rename list' }).click();
    await page.getByRole('heading', { name: 'Berlin fans' }).waitFor(WAIT);
    await page.getByRole('button', { name: /Berlin fans.*segment: city=Berlin/ }).waitFor(WAIT);
    await page.getByRole('button', { name: /^Berliners/ }).waitFor({ state: 'detached', ...WAIT });
    expect(await page.getByRole('alert').count()).toBe(0);
    await ui.shot('41-lists-segment');
    // Deleting a list (confirmed) keeps its contacts: the segment goes, Newsletter keeps 23.
    await page.getByRole('button', { name: 'Delete list' }).click();
    await page
      .getByRole('button', { name: /Berlin fans.*segment: city=Berlin/ })
      .waitFor({ state: 'detached', ...WAIT });
    await page.getByRole('button', { name: /^Newsletter/ }).click();
    await expectText(page.getByTestId('member-count'), '23 members');
  });

  it('creates a campaign with a live template preview, previews it, and starts, pauses, resumes and cancels it with its progress by status', async () => {
    await ui.nav('Campaigns').click();
    await page.getByRole('heading', { name: 'Lists and campaigns' }).waitFor(WAIT);
    await page.getByLabel('Campaign name').fill('Autumn offer');
    await page.locator('select[name="listId"]').selectOption({ label: 'Newsletter (list, 23)' });
    await page.getByLabel('Template').fill('Hi {{first_name|there}}, {{tag}} 20% off today 😀');
    // The live preview: fallbacks rendered, a placeholder without one named, the count.
    await expectText(page.getByTestId('template-rendered'), 'Hi there,  20% off today 😀');
    await expectText(page.getByTestId('template-count'), 'UCS-2 (Unicode) · 1 segment');
    await page.getByText('No fallback for: tag').waitFor(WAIT);
    await page.getByLabel('Messages per minute').fill('1');
    await page.getByLabel(/^Queue priority/).fill('5');
    await ui.shot('42-campaign-create');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const campaign = page.locator('[data-campaign="Autumn offer"]');
    await campaign.locator('[data-status="DRAFT"]').waitFor(WAIT);

    await page.getByRole('button', { name: 'Preview Autumn offer' }).click();
    const preview = campaign.getByTestId('campaign-preview');
    await preview.waitFor(WAIT);
    expect(await preview.getByTestId('preview-after-suppression').textContent()).toBe('23');
    // 23 recipients at 1 a minute.
    await expectText(preview, 'about 23 min');
    await expectText(preview, 'Hi Name');
    await expectText(preview, 'UCS-2 (Unicode) · 1 segment');
    // Billing's estimate: 23 segments, all within a new organization's free allowance.
    expect(await preview.getByTestId('preview-cost').textContent(WAIT)).toBe('$0.00');
    await expectText(preview, '23 segments in the plan’s remaining allowance, 0 charged');
    await expectText(campaign, 'priority 5');
    await ui.shot('43-campaign-preview');

    await page.getByRole('button', { name: 'Start Autumn offer' }).click();
    await campaign.locator('[data-status="RUNNING"]').waitFor(WAIT);
    // Progress by status: the stacked bar and its legend count the 23 recipients.
    const bar = campaign.getByRole('img', { name: /^Autumn offer by status: / });
    await bar.waitFor(WAIT);
    await expectText(campaign.getByTestId('campaign-counts'), 'of 23');
    const parts =
      /^Autumn offer by status: (\d+) delivered, (\d+) sent, (\d+) failed, (\d+) rejected, (\d+) expired, (\d+) pending$/.exec(
        (await bar.getAttribute('aria-label')) ?? '',
      );
    expect(parts?.slice(1).reduce((sum, n) => sum + Number(n), 0)).toBe(23);
    await expectText(campaign.getByTestId('campaign-counts'), 'ETA');
    expect(await campaign.getByTestId('campaign-rate').textContent(WAIT)).toMatch(
      /^Rate now \d+\/min · paced at \d+\/min/,
    );
    await ui.shot('44-campaign-running');

    await page.getByRole('button', { name: 'Pause Autumn offer' }).click();
    await campaign.locator('[data-status="PAUSED"]').waitFor(WAIT);
    await page.getByRole('button', { name: 'Resume Autumn offer' }).click();
    await campaign.locator('[data-status="RUNNING"]').waitFor(WAIT);
    await page.getByRole('button', { name: 'Cancel Autumn offer' }).click();
    await campaign.locator('[data-status="CANCELED"]').waitFor(WAIT);
    expect(await page.getByRole('alert').count()).toBe(0);
    await ui.shot('45-campaign-canceled');

    // Scheduled: a start time tomorrow (local time in the form) makes it SCHEDULED on start.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
    await page.getByLabel('Campaign name').fill('Winter teaser');
    await page.getByLabel('Template').fill('Winter is coming, {{first_name|friend}}.');
    await page.getByLabel(/^Start at/).fill(local);
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const scheduled = page.locator('[data-campaign="Winter teaser"]');
    await expectText(scheduled, 'starts ');
    await page.getByRole('button', { name: 'Start Winter teaser' }).click();
    await scheduled.locator('[data-status="SCHEDULED"]').waitFor(WAIT);
    await page.getByRole('button', { name: 'Cancel Winter teaser' }).click();
    await scheduled.locator('[data-status="CANCELED"]').waitFor(WAIT);
  });

  it('shows the wallet ledger, tops up through Stripe Checkout (paid by its signed webhook), sets automatic recharge and changes the plan', async () => {
    // The local Stripe's Checkout page, as the browser would see it (a stand-in: the payment
    // itself is Stripe's webhook below, as Stripe sends it once the customer paid).
    await ui.context.route(`${STRIPE_CHECKOUT}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>Stripe Checkout</title><h1>Pay Switchboard</h1>',
      }),
    );
    await ui.nav('Billing').click();
    await page.getByRole('heading', { name: 'Wallet ledger' }).waitFor(WAIT);
    await page.getByText('No wallet entries yet.').waitFor(WAIT);
    await page.getByText('No invoices yet.').waitFor(WAIT);
    // A bad amount is refused on the page, before Stripe.
    await page.getByLabel('Amount (USD)').fill('12.345');
    await page.getByRole('button', { name: 'Pay with Stripe' }).click();
    await page.getByRole('alert').filter({ hasText: 'Enter an amount in USD' }).waitFor(WAIT);
    await page.getByLabel('Amount (USD)').fill('25.00');
    await page.getByLabel('Keep the card for automatic recharges').check();
    await page.getByRole('button', { name: 'Pay with Stripe' }).click();
    await page.waitForURL(`${STRIPE_CHECKOUT}/c/pay/**`, WAIT);
    await page.getByRole('heading', { name: 'Pay Switchboard' }).waitFor(WAIT);
    await ui.shot('46-billing-stripe-checkout');
    const sessionId = new URL(page.url()).pathname.split('/').pop()!;
    expect(sessionId).toMatch(/^cs_test/);

    const customerId = await stripeCustomerOf(orgId);
    await postStripeEvent(
      stripeEvent(
        'checkout.session.completed',
        paidTopUpSession({ id: sessionId, orgId, customerId, amountMinor: 2500 }),
      ),
    );
    await postStripeEvent(
      stripeEvent('payment_method.attached', {
        id: 'pm_console_card',
        object: 'payment_method',
        type: 'card',
        customer: customerId,
        card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2031 },
      }),
    );

    // Back from Stripe (its success page): the balance, the ledger entry, the card.
    await page.goto(`${origin}/billing?top_up=success`);
    await expectText(page.getByTestId('wallet-balance'), '$25.00');
    const ledger = page.getByRole('table', { name: 'Wallet ledger' });
    await ledger.getByRole('row', { name: /TOPUP \$25\.00/ }).waitFor(WAIT);

    await page.getByLabel(/^Recharge when the available balance is below/).fill('5');
    await page.getByLabel('Recharge amount (USD)').fill('20');
    await page
      .getByRole('combobox', { name: /^Card to charge/ })
      .selectOption({ label: 'visa …4242 (12/2031)' });
    await page.getByRole('button', { name: 'Save automatic recharge' }).click();
    await expectText(
      page.getByTestId('auto-recharge'),
      'ENABLED: $20.00 when the available balance falls below $5.00 (visa …4242)',
    );

    // A downgrade waits for the next period and can be taken back.
    await page.getByRole('button', { name: 'Switch to Post-paid' }).click();
    await expectText(page.getByTestId('pending-plan'), 'Changes to Post-paid on');
    await ui.shot('47-billing-ledger-plans');
    await page.getByRole('button', { name: 'Keep Free' }).click();
    await page.getByTestId('pending-plan').waitFor({ state: 'detached', ...WAIT });
    expect(await page.getByRole('alert').count()).toBe(0);

    // Stripe's billing portal (cards, invoices): the local Stripe's session URL, as the browser
    // sees it (a stand-in page), and back to the console as Stripe's return link would.
    await ui.context.route(`${STRIPE_PORTAL}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><title>Stripe billing portal</title><h1>Manage billing</h1>',
      }),
    );
    await page.getByRole('button', { name: 'Manage payment methods' }).click();
    await page.waitForURL(`${STRIPE_PORTAL}/p/session/**`, WAIT);
    await page.getByRole('heading', { name: 'Manage billing' }).waitFor(WAIT);
    expect(new URL(page.url()).pathname.split('/').pop()).toMatch(/^bps_/);
    await ui.shot('47b-billing-stripe-portal');
    await page.goto(`${origin}/billing`);
    await expectText(page.getByTestId('wallet-balance'), '$25.00');
    expect(ui.problems).toEqual([]);
  });

  it('adds Twilio and Telnyx accounts (secrets typed once, only a hint shown), tests one, adds and removes sender numbers, linked from the routes page', async () => {
    await ui.nav('Routes').click();
    // The routes page has loaded its data (the layout no longer moves under the click): it also
    // has a "Carrier accounts" heading, so only the address tells the carriers page opened.
    await page.getByText('No carrier accounts: messages go through your phones.').waitFor(WAIT);
    await page.getByRole('link', { name: 'Manage carrier accounts and sender numbers' }).click();
    await page.waitForURL(`${origin}/carriers`, WAIT);
    await page.getByRole('heading', { name: 'Carrier accounts' }).waitFor(WAIT);
    await page.getByText('No carrier accounts yet.').waitFor(WAIT);

    const accountSid = `AC${randomBytes(16).toString('hex')}`;
    const authToken = randomBytes(16).toString('hex');
    await page.getByLabel('Account name').fill('Main Twilio');
    await page.getByLabel('Account SID').fill(accountSid);
    await page.getByLabel('Auth token').fill(authToken);
    await page.getByRole('button', { name: 'Add account' }).click();
    const twilio = page.locator('[data-carrier="Main Twilio"]');
    await twilio.waitFor(WAIT);
    // Typed once: the form is empty again and the page shows only the hint, never the token.
    expect(await page.getByLabel('Auth token').inputValue()).toBe('');
    const hint = await twilio.getByTestId('credential-hint').textContent();
    expect(hint).toContain(accountSid.slice(-4));
    expect(hint).not.toContain(accountSid);
    expect(await page.content()).not.toContain(authToken);

    // The local Twilio answers the account read with these credentials.
    await page.getByRole('button', { name: 'Test Main Twilio' }).click();
    await expectText(twilio.getByTestId('carrier-test'), 'Connection OK');

    await twilio.getByLabel('Number to add to Main Twilio').fill('+14155550111');
    await twilio.getByRole('checkbox', { name: 'MMS' }).check();
    await twilio.getByRole('button', { name: 'Add number' }).click();
    await twilio.getByRole('row', { name: /\+14155550111 SMS, MMS/ }).waitFor(WAIT);
    await twilio.getByLabel('Number to add to Main Twilio').fill('+14155550112');
    await twilio.getByRole('button', { name: 'Add number' }).click();
    await twilio.getByRole('row', { name: /\+14155550112 SMS/ }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Remove +14155550111' }).click();
    await twilio
      .getByRole('cell', { name: '+14155550111', exact: true })
      .waitFor({ state: 'detached', ...WAIT });

    // Telnyx: an API key and the account's webhook public key.
    await page.getByRole('combobox', { name: /^Carrier/ }).selectOption('TELNYX');
    await page.getByLabel('Account name').fill('Backup Telnyx');
    await page.getByLabel('API key').fill(`KEY${randomBytes(16).toString('hex')}`);
    await page.getByLabel(/^Webhook public key/).fill(telnyxKeyPair().publicKeyBase64);
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.locator('[data-carrier="Backup Telnyx"]').waitFor(WAIT);
    expect(await page.getByRole('alert').count()).toBe(0);
    await ui.shot('48-carriers');

    await page.getByRole('button', { name: 'Remove Backup Telnyx' }).click();
    await page.locator('[data-carrier="Backup Telnyx"]').waitFor({ state: 'detached', ...WAIT });
    // The routes page lists what is left.
    await ui.nav('Routes').click();
    await page.getByRole('row', { name: /Main Twilio TWILIO/ }).waitFor(WAIT);
  });

  it('installs the GoHighLevel app from the install link, shows the location, tests its connection and shows the request log', async () => {
    const ghl = await startE2eGhl(stackDir());
    try {
      // GHL's marketplace page, where the owner would choose the locations (a stand-in).
      await ui.context.route(`${GHL_MARKETPLACE}/**`, (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><title>HighLevel</title><h1>Choose a location</h1>',
        }),
      );
      await ui.nav('GoHighLevel').click();
      await page.getByText('Not installed yet.').waitFor(WAIT);
      await page.getByRole('button', { name: 'Install on GoHighLevel' }).click();
      await page.waitForURL(`${GHL_MARKETPLACE}/oauth/chooselocation**`, WAIT);
      await page.getByRole('heading', { name: 'Choose a location' }).waitFor(WAIT);
      const state = new URL(page.url()).searchParams.get('state') ?? '';
      expect(state).not.toBe('');

      // GHL redirects to the OAuth callback with a code (the ingress sends /ghl to ghl-sync).
      const locationId = `loc-${randomUUID().slice(0, 8)}`;
      const code = ghl.authorizationCode({
        userType: 'Location',
        companyId: 'co-console',
        locationIds: [locationId],
      });
      const done = await fetch(
        `${p.url('ghl-sync')}/ghl/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
      );
      expect(done.status).toBe(200);

      await page.goto(`${origin}/ghl`);
      const row = page.locator(`tr[data-location="${locationId}"]`);
      await row.getByText('ACTIVE').waitFor(WAIT);
      await row.getByRole('button', { name: `Test ${locationId}` }).click();
      await expectText(row.getByTestId('ghl-test'), 'OK (');
      await page.getByRole('button', { name: 'Refresh the log' }).click();
      const log = page.getByRole('table', { name: 'Requests to GoHighLevel' });
      await log
        .getByRole('row', { name: new RegExp(locationId) })
        .first()
        .waitFor(WAIT);
      await ui.shot('49-ghl');
      expect(ghl.problems).toEqual([]);
    } finally {
      await ghl.stop();
    }
  });

  it('works at a phone’s width (360 px) on every bulk and money page, by keyboard, with nothing leaving the origin', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    try {
      for (const [label, name] of [
        ['Lists', '50-mobile-lists'],
        ['Campaigns', '51-mobile-campaigns'],
        ['Billing', '52-mobile-billing'],
        ['Carriers', '53-mobile-carriers'],
        ['GoHighLevel', '54-mobile-ghl'],
      ] as const) {
        await ui.nav(label).click();
        await page.locator('main h1').waitFor(WAIT);
        if (label === 'Lists') {
          // A list opened by keyboard: focus the list's button, Enter shows its members.
          await page.getByRole('button', { name: /^Newsletter/ }).focus();
          await page.keyboard.press('Enter');
          await page.getByRole('table', { name: 'Members of Newsletter' }).waitFor(WAIT);
        }
        expect([label, await page.evaluate('document.documentElement.scrollWidth')]).toEqual([
          label,
          360,
        ]);
        await ui.shot(name);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    expect(ui.problems).toEqual([]);
  });

  // Last: the route it adds would carry the other tests' sends.
  it('creates a campaign and sends a message from a chosen route and number: shown on the campaign, paced at that number, the message sent through it', async () => {
    await ui.nav('Routes').click();
    await page.getByLabel('Route name').fill('Twilio route');
    await page.getByLabel('Kind').selectOption('TWILIO');
    await page.getByLabel(/^Carrier account/).selectOption({ label: 'Main Twilio (TWILIO)' });
    await page.getByRole('button', { name: 'Add route' }).click();
    await page.getByRole('row', { name: /Twilio route/ }).waitFor(WAIT);

    await ui.nav('Campaigns').click();
    await page.getByRole('heading', { name: 'Lists and campaigns' }).waitFor(WAIT);
    await page.getByLabel('Campaign name').fill('From Twilio');
    await page.locator('select[name="listId"]').selectOption({ label: 'Newsletter (list, 23)' });
    await page.getByLabel('Template').fill('Hello {{first_name|there}} from our number');
    await page.getByLabel('Messages per minute').fill('6000');
    await page.getByLabel('Send from').selectOption({ label: 'Twilio route (twilio)' });
    await page.getByLabel('Sender number (optional)').fill('+14155550112');
    await ui.shot('46-campaign-sender');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const campaign = page.locator('[data-campaign="From Twilio"]');
    await campaign.locator('[data-status="DRAFT"]').waitFor(WAIT);
    await expectText(campaign, 'from Twilio route (twilio) +14155550112 only');
    await page.getByRole('button', { name: 'Preview From Twilio' }).click();
    // One Twilio number at 1 segment a second: 60 a minute, not the 6,000 asked for.
    await expectText(
      campaign.getByTestId('preview-rate'),
      '60/min (limited by the carrier numbers) via Twilio route (twilio)',
    );
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel From Twilio' }).click();
    await campaign.locator('[data-status="CANCELED"]').waitFor(WAIT);

    // A single send from the same number, chosen on the send page: it leaves through Twilio
    // with that number as its sender.
    await ui.nav('Send').click();
    await page.getByLabel('To (E.164)').fill('+14155550177');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('One from our number');
    await page.getByLabel('Send from').selectOption({ label: 'Twilio route (twilio)' });
    await page.getByLabel('Sender number (optional)').fill('+14155550112');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expectText(page.locator('.sent'), 'to +14155550177 from +14155550112 via twilio');
    await ui.shot('47-send-from-number');
    expect(ui.problems).toEqual([]);
  });
});
