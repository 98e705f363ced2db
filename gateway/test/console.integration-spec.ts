// The gateway serves the web console (dist/console) on its own origin under a strict CSP, with
// page paths falling back to index.html but never shadowing its own routes, and keeps the
// console's refresh token in an HttpOnly, SameSite=Strict cookie (/console/session) that it
// rotates through accounts' refreshSession mutation.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFRESH_COOKIE } from '../src/console-session';
import { CONSOLE_CSP } from '../src/console-static';
import { startTestGateway } from './support/test-gateway';

const INDEX =
  '<!doctype html><title>console</title><script type="module" src="/assets/app-1.js"></script>';
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const HEADER = { 'x-switchboard-console': '1', 'content-type': 'application/json' };

/** A stand-in accounts subgraph: rotates refresh token r-N into r-(N+1); refuses "r-revoked…". */
class FakeAccounts {
  server?: Server;
  seen: string[] = [];
  url = '';
  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const { variables } = JSON.parse(body) as { variables?: Record<string, string> };
        const token = Object.values(variables ?? {})[0] ?? '';
        this.seen.push(token);
        res.setHeader('content-type', 'application/json');
        if (token.startsWith('r-revoked'))
          return void res.end(
            JSON.stringify({
              data: null,
              errors: [{ message: 'reused', extensions: { code: 'REFRESH_TOKEN_REUSED' } }],
            }),
          );
        const next = `${token}-next`;
        res.end(
          JSON.stringify({
            data: {
              refreshSession: {
                accessToken: `access-for-${token}`,
                refreshToken: next,
                expiresIn: 900,
              },
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
  }
  async stop() {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('the web console on the gateway', () => {
  const accounts = new FakeAccounts();
  const stops: (() => Promise<void>)[] = [];
  let consoleDir: string;

  async function boot(env: Record<string, string> = {}) {
    const gateway = await startTestGateway({
      subgraphs: [
        {
          name: 'accounts',
          url: accounts.url,
          typeDefs: `
            type Query { hello: String }
            type AuthPayload { accessToken: String! refreshToken: String! expiresIn: Int! }
            type Mutation { refreshSession(refreshToken: String!): AuthPayload! }`,
        },
      ],
      env: {
        NODE_ENV: 'test',
        SUBGRAPH_SHARED_SECRET: 's'.repeat(32),
        CONSOLE_DIR: consoleDir,
        ...env,
      },
    });
    stops.push(() => gateway.stop());
    return gateway.origin;
  }

  beforeAll(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(consoleDir, 'assets'));
    writeFileSync(join(consoleDir, 'index.html'), INDEX);
    writeFileSync(join(consoleDir, 'assets', 'app-1.js'), 'console.log(1)');
    await accounts.start();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => accounts.stop());

  it('serves index.html for page paths and the hashed assets, under a CSP without inline scripts', async () => {
    const origin = await boot();
    for (const path of ['/', '/devices', '/conversations/123']) {
      const page = await fetch(`${origin}${path}`, { headers: HTML });
      expect([path, page.status, await page.text()]).toEqual([path, 200, INDEX]);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toBe(CONSOLE_CSP);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
    }
    const asset = await fetch(`${origin}/assets/app-1.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    const head = await fetch(`${origin}/messages`, { method: 'HEAD', headers: HTML });
    expect(head.status).toBe(200);
    // A stale tab asking for an old bundle gets a 404, not the page.
    expect((await fetch(`${origin}/assets/app-0.js`)).status).toBe(404);
  });

  it('never answers for the gateway’s own routes, nor to other methods', async () => {
    const origin = await boot();
    const live = await fetch(`${origin}/health/live`);
    expect(await live.json()).toEqual({ status: 'ok' });
    for (const path of [
      '/health/unknown',
      '/graphql/x',
      '/metrics',
      '/downloads/x',
      '/uploads/x',
      '/media/x',
      '/.well-known/x',
      '/api/x',
      '/console/session/x',
      '/favicon.ico',
    ]) {
      const response = await fetch(`${origin}${path}`, { headers: HTML });
      expect([path, response.status, await response.text()]).not.toEqual([path, 200, INDEX]);
    }
    // A page path asked for by a machine (no text/html in Accept): 404, not the page.
    const machine = await fetch(`${origin}/metrics2`, { headers: { accept: '*/*' } });
    expect(machine.status).toBe(404);
    expect((await fetch(`${origin}/devices`)).status).toBe(404);
    const graphql = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    const post = await fetch(`${origin}/devices`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toBe(INDEX);
  });

  it('runs without a console when CONSOLE_DIR holds no build', async () => {
    const origin = await boot({ CONSOLE_DIR: mkdtempSync(join(tmpdir(), 'empty-')) });
    expect((await fetch(`${origin}/`)).status).toBe(404);
  });

  it('keeps the refresh token in an HttpOnly SameSite=Strict cookie and rotates it through refreshSession', async () => {
    const origin = await boot();
    const stored = await fetch(`${origin}/console/session`, {
      method: 'POST',
      headers: HEADER,
      body: JSON.stringify({ refreshToken: 'r-1-aaaaaaaaaaaaaaaa' }),
    });
    expect(stored.status).toBe(204);
    const cookie = stored.headers.get('set-cookie')!;
    expect(cookie).toMatch(new RegExp(`^${REFRESH_COOKIE}=r-1-a+;`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/console/session');
    expect(cookie).not.toContain('Secure'); // test mode on plain http
    const value = cookie.split(';')[0];

    const refreshed = await fetch(`${origin}/console/session/refresh`, {
      method: 'POST',
      headers: { ...HEADER, cookie: value },
      body: '{}',
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
    // The page gets the access token only; the rotated refresh token goes back into the cookie.
    expect(await refreshed.json()).toEqual({
      accessToken: 'access-for-r-1-aaaaaaaaaaaaaaaa',
      expiresIn: 900,
    });
    expect(refreshed.headers.get('set-cookie')).toMatch(
      new RegExp(`^${REFRESH_COOKIE}=r-1-a+-next;.*HttpOnly`),
    );
    expect(accounts.seen).toContain('r-1-aaaaaaaaaaaaaaaa');
  });

  it('refuses requests without the console header, without a cookie, or with a refused token (and clears it)', async () => {
    const origin = await boot();
    const noHeader = await fetch(`${origin}/console/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: 'r-1-aaaaaaaaaaaaaaaa' }),
    });
    expect([noHeader.status, ((await noHeader.json()) as { code: string }).code]).toEqual([
      403,
      'CONSOLE_HEADER_MISSING',
    ]);
    expect(noHeader.headers.get('set-cookie')).toBeNull();
    const noCookie = await fetch(`${origin}/console/session/refresh`, {
      method: 'POST',
      headers: HEADER,
      body: '{}',
    });
    expect([noCookie.status, ((await noCookie.json()) as { code: string }).code]).toEqual([
      401,
      'NO_SESSION',
    ]);
    const revoked = await fetch(`${origin}/console/session/refresh`, {
      method: 'POST',
      headers: { ...HEADER, cookie: `${REFRESH_COOKIE}=r-revoked-aaaaaaaaaaaa` },
      body: '{}',
    });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('set-cookie')).toMatch(
      new RegExp(`^${REFRESH_COOKIE}=;.*Expires=Thu, 01 Jan 1970`),
    );
    const bad = await fetch(`${origin}/console/session`, {
      method: 'POST',
      headers: HEADER,
      body: JSON.stringify({ refreshToken: 42 }),
    });
    expect(bad.status).toBe(400);
    const ended = await fetch(`${origin}/console/session`, { method: 'DELETE', headers: HEADER });
    expect(ended.status).toBe(204);
    expect(ended.headers.get('set-cookie')).toMatch(new RegExp(`^${REFRESH_COOKIE}=;`));
  });

  it('marks the cookie Secure outside development and test mode', async () => {
    const origin = await boot({ NODE_ENV: 'production', INTROSPECTION: 'false' });
    const stored = await fetch(`${origin}/console/session`, {
      method: 'POST',
      headers: HEADER,
      body: JSON.stringify({ refreshToken: 'r-2-aaaaaaaaaaaaaaaa' }),
    });
    expect(stored.status).toBe(204);
    expect(stored.headers.get('set-cookie')).toContain('Secure');
  });
});
