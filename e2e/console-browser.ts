// The console's browser tests' shared pieces: Debian's chromium (headless, playwright-core),
// one context that lets nothing leave the platform's origin, CSP reports and page errors
// collected as problems, screenshots into .stack/logs/console-screenshots/.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { stackDir } from '@switchboard/testing';
import { platform } from './platform';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = join(stackDir(), 'logs', 'console-screenshots');
/** Long enough for a loaded 2-core machine; every wait is on a condition, never a sleep. */
export const WAIT = { timeout: 30_000 };

/** The gateway's origin: the console's. */
export const consoleOrigin = (): string => new URL(platform().graphqlUrl!).origin;

export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests to another origin, CSP violations, uncaught page errors. */
  problems: string[];
  /** A full-page screenshot named `<name>.png` in SHOTS. */
  shot(name: string, tab?: Page): Promise<Buffer>;
  /** The main navigation's link with this label. */
  nav(label: string): Locator;
  close(): Promise<void>;
}

/** Starts chromium with one context; `allowedOrigins` may be reached besides the console's. */
export async function launchConsoleBrowser(
  options: { allowedOrigins?: string[] } = {},
): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: the test command installs it (tools/lib/common.sh sb_ensure_chromium)`,
    );
  mkdirSync(SHOTS, { recursive: true });
  const origin = consoleOrigin();
  const allowed = [origin, ...(options.allowedOrigins ?? [])];
  const browser = await chromium.launch({
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
  const problems: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Nothing leaves the platform's origin (no trackers, CDN fonts or the like).
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || allowed.some((o) => url === o || url.startsWith(`${o}/`)))
      return route.continue();
    problems.push(`request to another origin: ${url}`);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
      problems.push(`CSP: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    browser,
    context,
    page,
    problems,
    shot: (name, tab = page) =>
      tab.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true }),
    nav: (label) =>
      page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }),
    close: () => browser.close(),
  };
}

/** Waits until the locator holds an element with this text. */
export async function expectText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).waitFor(WAIT);
}
