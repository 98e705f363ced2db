// The web console in a real browser (Debian's chromium, headless, driven by playwright-core)
// against the whole platform: sign up → add a phone by scanning the QR code (decoded from a
// screenshot, then the device agent enrolls with it) → send a message and watch it reach
// DELIVERED → the phone's reply appears in the conversation → STOP from the phone shows the
// contact as opted out. Screenshots of each page go to .stack/logs/console-screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { SimulatedPhone } from '@switchboard/device-agent';
import { stackDir } from '@switchboard/testing';
import { platform } from './platform';
import { PASSWORD } from './support';

const p = platform();
const origin = new URL(p.graphqlUrl!).origin;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(stackDir(), 'logs', 'console-screenshots');
/** Long enough for a loaded 2-core machine; every wait is on a condition, never a sleep. */
const WAIT = { timeout: 30_000 };

let browser: Browser;
let context: BrowserContext;
let page: Page;
const phones: SimulatedPhone[] = [];
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: the test command installs it (tools/lib/common.sh sb_ensure_chromium)`,
    );
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--metrics-recording-only',
    ],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Nothing leaves the platform's origin (no trackers, CDN fonts or the like).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
}, 60_000);

afterAll(async () => {
  for (const phone of phones) await phone.stop().catch(() => undefined);
  await browser?.close();
});

const shot = (name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const nav = (label: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label });

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
    await page.locator(`tr[data-device-id="${credentials.deviceId}"] .status-online`).waitFor(WAIT);
    await shot('04-devices-online');
  });

  it('sends a message with a live segment count and shows it DELIVERED', async () => {
    await nav('Send').click();
    await page.getByLabel('To (E.164)').fill(contact);
    const body = page.getByLabel('Message');
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
    await shot('06-conversation-reply');

    await phone.receive(contact, 'STOP');
    await page.getByTestId('opted-out').waitFor(WAIT);
    expect(await page.getByRole('button', { name: 'Send reply' }).isDisabled()).toBe(true);
    await shot('07-conversation-opted-out');

    await nav('Opt-outs').click();
    await page.getByRole('cell', { name: contact }).waitFor(WAIT);
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

  it('works by keyboard and at a phone’s width (360 px) without sideways scrolling', async () => {
    await nav('Dashboard').click();
    await page.getByRole('heading', { name: 'Sends per day by status' }).waitFor(WAIT);
    await page.keyboard.press('Tab');
    expect(
      await page.evaluate('document.activeElement && document.activeElement.textContent'),
    ).toBe('Skip to content');
    await page.setViewportSize({ width: 360, height: 780 });
    for (const [label, name] of [
      ['Dashboard', '10-mobile-dashboard'],
      ['Conversations', '11-mobile-conversations'],
      ['Send', '12-mobile-send'],
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function expectText(locator: ReturnType<Page['getByTestId']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor(WAIT);
}
