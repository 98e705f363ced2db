// The web console in a real browser (Debian's chromium, headless, driven by playwright-core)
// against the whole platform: sign up → add a phone by scanning the QR code (decoded from a
// screenshot, then the device agent enrolls with it) → send a message and watch it reach
// DELIVERED → the phone's reply appears in the conversation → STOP from the phone shows the
// contact as opted out. Screenshots of each page go to .stack/logs/console-screenshots/.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SimulatedPhone } from '@switchboard/device-agent';
import { MailSpool } from '@switchboard/testing';
import { platform } from './platform';
import { customer, PASSWORD } from './support';
import {
  expectText,
  launchConsoleBrowser,
  SHOTS,
  WAIT,
  type ConsoleBrowser,
} from './console-browser';

const p = platform();
const origin = new URL(p.graphqlUrl!).origin;

let ui: ConsoleBrowser;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const phones: SimulatedPhone[] = [];
let problems: string[] = [];

beforeAll(async () => {
  ui = await launchConsoleBrowser();
  ({ browser, context, page, problems } = ui);
}, 60_000);

afterAll(async () => {
  for (const phone of phones) await phone.stop().catch(() => undefined);
  await ui?.close();
});

const shot = (name: string) => ui.shot(name);
const nav = (label: string) => ui.nav(label);

describe('the web console', () => {
  const contact = '+14155550187';
  let phone: SimulatedPhone;

  it('is served by the gateway with its CSP, and signs a new customer up into the dashboard', async () => {
    const response = await page.goto(`${origin}/`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByRole('heading', { name: 'Create your Switchboard account' }).waitFor(WAIT);
    await shot('01-sign-up');
    const organization = `Console ${randomUUID().slice(0, 6)}`;
    await page.getByLabel('Your name').fill('Ada Console');
    await page.getByLabel('Organization name').fill(organization);
    await page.getByLabel('Email').fill(`console-${randomUUID().slice(0, 8)}@example.com`);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: organization }).waitFor(WAIT);
    await page.getByRole('heading', { name: 'Sends per day by status' }).waitFor(WAIT);
    await shot('02-dashboard');

    // The tokens stay out of the page's storage and out of document.cookie (HttpOnly) …
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.evaluate('document.cookie')).toBe('');
    const cookies = await context.cookies(origin + '/console/session');
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
      ['sb_console_refresh', true, 'Strict'],
    ]);
    // … and a reload signs back in through the cookie.
    await page.reload();
    await page.getByRole('heading', { name: organization }).waitFor(WAIT);
  });

  it('adds a phone by its QR code: decoded from a screenshot, the device agent enrolls with it', async () => {
    await nav('Devices').click();
    await page.getByRole('heading', { name: 'Devices' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Add a phone' }).click();
    const qr = page.getByTestId('enrollment-qr');
    await qr.waitFor(WAIT);
    await shot('03-devices-add-phone');
    const image = PNG.sync.read(await qr.screenshot());
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded).not.toBeNull();
    const payload = JSON.parse(decoded!.data) as { type: string; apiUrl: string; token: string };
    expect(payload.type).toBe('switchboard-enrollment');
    // What the QR carries is what the page shows for typing.
    await page.getByText(payload.token, { exact: true }).waitFor(WAIT);
    await page.getByText(payload.apiUrl, { exact: true }).waitFor(WAIT);

    // The phone reaches devices directly in the e2e platform (as the other e2e files do).
    phone = new SimulatedPhone({
      apiUrl: `${p.url('devices')}/api/mobile/v1`,
      sendDelayMs: 100,
      deliveryDelayMs: 100,
      outcomes: { delivered: 1, sent: 0, failed: 0 },
    });
    const credentials = await phone.enroll(payload.token);
    await phone.start();
    phones.push(phone);
    const row = page.locator(`tr[data-device-id="${credentials.deviceId}"]`);
    await row.locator('.status-online').waitFor(WAIT);
    await shot('04-devices-online');
    // Pacing: the phone's messages per minute, saved and shown back.
    const rate = row.getByRole('spinbutton', { name: /^Messages per minute for / });
    await rate.fill('17');
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: /out of the pool$/ }).waitFor(WAIT);
    await row.locator('input[name="rate"][value="17"]').waitFor({ state: 'attached', ...WAIT });
  });

  it('sends a message with a live segment count and shows it DELIVERED', async () => {
    await nav('Send').click();
    await page.getByLabel('To (E.164)').fill(contact);
    const body = page.getByRole('textbox', { name: 'Message', exact: true });
    const count = page.getByTestId('segment-count');
    await body.fill('x'.repeat(161));
    await expectText(count, 'GSM-7 · 2 segments · 145 left');
    await body.fill('Hello from the console 😀');
    await expectText(count, 'UCS-2 (Unicode) · 1 segment · 45 left');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.sent [data-status="DELIVERED"]').waitFor(WAIT);
    await shot('05-send-delivered');
  });

  it('shows the phone’s reply in the conversation, then the contact as opted out after STOP', async () => {
    await phone.receive(contact, 'Thanks, got it!');
    await nav('Conversations').click();
    await page.getByRole('button', { name: new RegExp(`^${escape(contact)}`) }).click(WAIT);
    await page.locator('.bubbles .in', { hasText: 'Thanks, got it!' }).waitFor(WAIT);
    await page.locator('.bubbles .out', { hasText: 'Hello from the console' }).waitFor(WAIT);
    // Open, the thread counts as read: the list shows no unread badge for it.
    await page.locator('.unread').waitFor({ state: 'detached', ...WAIT });
    await shot('06-conversation-reply');

    await phone.receive(contact, 'STOP');
    await page.getByTestId('opted-out').waitFor(WAIT);
    // It arrived while the thread was open: read, so the list shows no unread badge.
    await page.locator('.bubbles .in', { hasText: 'STOP' }).waitFor(WAIT);
    await page.locator('.unread').waitFor({ state: 'detached', ...WAIT });
    expect(await page.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await shot('07-conversation-opted-out');

    await nav('Opt-outs').click();
    await page.getByRole('cell', { name: contact }).waitFor(WAIT);
    await page.getByText('No recorded consents.').waitFor(WAIT);
    await shot('08-opt-outs');
  });

  it('lists messages with filters', async () => {
    await nav('Messages').click();
    await page.getByRole('cell', { name: 'Thanks, got it!' }).waitFor(WAIT);
    await page.getByLabel('Direction').selectOption('OUTBOUND');
    await page.getByLabel('Status').selectOption('DELIVERED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page
      .getByRole('cell', { name: 'Thanks, got it!' })
      .waitFor({ state: 'detached', ...WAIT });
    await page.getByRole('cell', { name: 'Hello from the console 😀' }).waitFor(WAIT);
    await shot('09-messages-filtered');
  });

  it('creates an API token whose secret is shown once', async () => {
    await nav('API tokens').click();
    await page.getByLabel('Token name').fill('CI token');
    await page.getByRole('checkbox', { name: 'messages:read' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = await page.getByTestId('new-token').textContent(WAIT);
    expect(secret).toMatch(/^sbk_/);
    const row = page.getByRole('row', { name: /CI token/ });
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('messages:send, messages:read');
    await shot('10-api-tokens');
    // Once gone, the secret is nowhere on the page again.
    await nav('Dashboard').click();
    await nav('API tokens').click();
    await row.waitFor(WAIT);
    expect(await page.getByText(secret!).count()).toBe(0);
  });

  it('invites a member and lists the members with their roles', async () => {
    await nav('Team').click();
    await page.getByRole('cell', { name: 'Ada Console' }).waitFor(WAIT);
    const email = `teammate-${randomUUID().slice(0, 8)}@example.com`;
    await page.getByLabel('Email to invite').fill(email);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByRole('cell', { name: email, exact: true }).waitFor(WAIT);
    await shot('11-team');
    await page.getByRole('button', { name: `Revoke the invitation of ${email}` }).click();
    await page
      .getByRole('cell', { name: email, exact: true })
      .waitFor({ state: 'detached', ...WAIT });
  });

  it('adds a webhook endpoint (secret shown once) and shows its delivery log', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      await nav('Webhooks').click();
      await page.getByLabel('Endpoint URL (https)').fill(`http://127.0.0.1:${port}/hook`);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      expect(await page.getByTestId('webhook-secret').textContent(WAIT)).toMatch(/^whsec_/);
      // An inbound message from a new number: a MESSAGE_RECEIVED delivery.
      await phone.receive('+14155550188', 'Hi there');
      await page.getByRole('button', { name: 'Delivery log' }).click();
      await page.getByRole('cell', { name: 'SUCCEEDED' }).first().waitFor(WAIT);
      expect(received.length).toBeGreaterThan(0);
      await shot('12-webhooks');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('shows the plan, the wallet and the usage', async () => {
    await nav('Billing').click();
    await page.getByRole('heading', { name: 'Billing' }).waitFor(WAIT);
    expect(await page.getByTestId('plan-name').textContent(WAIT)).not.toBe('');
    expect(await page.getByTestId('wallet-available').textContent()).toMatch(/\d/);
    await page.getByRole('heading', { name: /^Usage in / }).waitFor(WAIT);
    await shot('13-billing');
  });

  it('adds a route and lists routes by priority, with the carrier accounts', async () => {
    await nav('Routes').click();
    await page.getByText('No carrier accounts: messages go through your phones.').waitFor(WAIT);
    await page.getByLabel('Route name').fill('Phones first');
    await page.getByLabel('Priority').fill('10');
    await page.getByLabel(/^Allowed countries/).fill('us, ca');
    await page.getByRole('button', { name: 'Add route' }).click();
    const row = page.getByRole('row', { name: /Phones first/ });
    await row.waitFor(WAIT);
    expect(await row.textContent()).toContain('US, CA');
    await shot('14-routes');
  });

  it('creates a list and a campaign, starts it and shows its progress', async () => {
    await nav('Campaigns').click();
    await page.getByLabel('List name').fill('VIPs');
    await page.getByRole('button', { name: 'Create list' }).click();
    await page.getByText('VIPs — 0 contacts (static)').waitFor(WAIT);
    await page.getByLabel('Campaign name').fill('Spring sale');
    await page
      .getByLabel('Template')
      .fill('Spring sale: 20% off this week. Reply STOP to opt out.');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const campaign = page.locator('[data-campaign="Spring sale"]');
    await campaign.locator('[data-status="DRAFT"]').waitFor(WAIT);
    await campaign.getByRole('progressbar', { name: 'Spring sale progress' }).waitFor(WAIT);
    await page.getByRole('button', { name: 'Start Spring sale' }).click();
    await campaign.locator('[data-status]:not([data-status="DRAFT"])').waitFor(WAIT);
    expect(await page.getByRole('alert').count()).toBe(0);
    await shot('15-campaigns');
  });

  it('works by keyboard and at a phone’s width (360 px) without sideways scrolling', async () => {
    await page.goto(`${origin}/`);
    await page.getByRole('heading', { name: 'Sends per day by status' }).waitFor(WAIT);
    // The plots count on the server: the message delivered above shows in the delivery rate.
    await page.getByRole('heading', { name: 'Delivery rate per day' }).waitFor(WAIT);
    await page
      .locator('dt:has-text("Delivery rate, 7 days") + dd')
      .filter({ hasText: '%' })
      .waitFor(WAIT);
    // The first stop is the skip link; it takes the keyboard to the page's content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    // Navigating by keyboard: a link activated with Enter opens its page and focuses it.
    await nav('Opt-outs').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Opt-outs' }).waitFor(WAIT);
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await page.setViewportSize({ width: 360, height: 780 });
    for (const [label, name] of [
      ['Dashboard', '20-mobile-dashboard'],
      ['Conversations', '21-mobile-conversations'],
      ['Send', '22-mobile-send'],
      ['Billing', '23-mobile-billing'],
    ] as const) {
      await nav(label).click();
      await page.locator('main h1').waitFor(WAIT);
      expect([label, await page.evaluate('document.documentElement.scrollWidth')]).toEqual([
        label,
        360,
      ]);
      await shot(name);
    }
    expect(problems).toEqual([]);
  });
});

describe('the pages the account mails link to', () => {
  const mail = new MailSpool(p.mailSpool);

  it('accepts an invitation, then resets the password from the login page', async () => {
    const { api } = await customer('console-team');
    const email = `joiner-${randomUUID().slice(0, 8)}@example.com`;
    await api.expectData('mutation($e: String!) { inviteMember(email: $e, role: USER) { id } }', {
      e: email,
    });
    const invitation = await mail.linkToken(email, 'accept-invitation', 45_000);
    // A browser of its own: signed out.
    const guest = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const tab = await guest.newPage();
      await tab.goto(`${origin}/accept-invitation?token=${encodeURIComponent(invitation)}`);
      await tab.getByLabel('Your name').fill('Joiner');
      await tab.getByLabel(/^Password/).fill(PASSWORD);
      await tab.getByRole('button', { name: 'Join' }).click();
      await tab.getByRole('heading', { name: 'Sends per day by status' }).waitFor(WAIT);
      await tab.screenshot({ path: join(SHOTS, '30-invitation-accepted.png'), fullPage: true });
      await tab.getByRole('button', { name: 'Log out' }).click();

      await tab.getByRole('button', { name: 'Log in' }).click();
      await tab.getByRole('button', { name: 'Forgot your password?' }).click();
      await tab.getByLabel('Email').fill(email);
      await tab.getByRole('button', { name: 'Send reset link' }).click();
      await tab.getByRole('status').waitFor(WAIT);
      const reset = await mail.linkToken(email, 'reset-password', 45_000);
      await tab.goto(`${origin}/reset-password?token=${encodeURIComponent(reset)}`);
      const newPassword = `${PASSWORD} renewed`;
      await tab.getByLabel('New password').fill(newPassword);
      await tab.getByRole('button', { name: 'Change password' }).click();
      await tab.getByRole('heading', { name: 'Password changed' }).waitFor(WAIT);
      await tab.screenshot({ path: join(SHOTS, '31-password-changed.png'), fullPage: true });
      await tab.getByRole('link', { name: 'Log in' }).click();
      await tab.getByRole('button', { name: 'Log in' }).click();
      await tab.getByLabel('Email').fill(email);
      await tab.getByLabel('Password').fill(newPassword);
      await tab.getByRole('button', { name: 'Log in' }).click();
      await tab.getByRole('heading', { name: 'Sends per day by status' }).waitFor(WAIT);
    } finally {
      await guest.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
