// Installing the app: the owner's authorize link (signed state), the OAuth callback (location
// and agency installs, tokens sealed at rest), INSTALL/UNINSTALL webhooks (signatures,
// timestamps, replays, unknown locations), and token refresh (rotated refresh token stored,
// concurrent refreshes serialized) — against the local GHL, every request checked against
// GHL's OpenAPI specs.
import { randomUUID } from 'node:crypto';
import { GhlTokens } from '../src/installations/ghl-tokens.service';
import { GhlTestServer } from './support/ghl-test-server';
import { startGhlSyncHarness, type GhlSyncHarness } from './support/ghl-sync-harness';
import { appWebhook } from './support/webhooks';

describe('installing the GHL app', () => {
  let ghl: GhlTestServer;
  let h: GhlSyncHarness;

  beforeAll(async () => {
    ghl = await new GhlTestServer().start();
    h = await startGhlSyncHarness(ghl.env());
  });

  afterAll(async () => {
    await h?.close();
    await ghl?.stop();
  });

  afterEach(() => {
    expect(ghl.problems).toEqual([]);
  });

  async function installLink(orgId: string): Promise<URL> {
    const owner = await h.owner(orgId);
    const { ghlInstallLink } = await owner.expectData<{ ghlInstallLink: { url: string } }>(
      'mutation { ghlInstallLink { url expiresAt } }',
    );
    return new URL(ghlInstallLink.url);
  }

  async function callback(code: string, state: string) {
    const response = await fetch(
      `${h.baseUrl}/ghl/oauth/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`,
    );
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Installs on one location for a new organization; its ids. */
  async function installLocation() {
    const orgId = randomUUID();
    const companyId = `co-${randomUUID().slice(0, 8)}`;
    const locationId = `loc-${randomUUID().slice(0, 8)}`;
    const link = await installLink(orgId);
    const code = ghl.authorizationCode({
      userType: 'Location',
      companyId,
      locationIds: [locationId],
    });
    const done = await callback(code, link.searchParams.get('state')!);
    expect(done).toEqual({ status: 200, body: { installed: true, companyId, locations: 1 } });
    return { orgId, companyId, locationId };
  }

  const installationsOf = async (orgId: string) =>
    (
      await (
        await h.owner(orgId)
      ).expectData<{
        ghlInstallations: {
          kind: string;
          locationId: string | null;
          status: string;
          locations: { locationId: string; status: string }[];
        }[];
      }>(
        '{ ghlInstallations { kind companyId locationId status tokenExpiresAt locations { locationId status } } }',
      )
    ).ghlInstallations;

  it('links a location install to the organization that asked, with its tokens sealed', async () => {
    const link = await installLink(randomUUID());
    expect(link.origin + link.pathname).toBe(
      'https://marketplace.gohighlevel.com/oauth/chooselocation',
    );
    expect(link.searchParams.get('client_id')).toBe(ghl.clientId);
    expect(link.searchParams.get('response_type')).toBe('code');

    const { orgId, locationId } = await installLocation();
    expect(await installationsOf(orgId)).toEqual([
      expect.objectContaining({ kind: 'LOCATION', locationId, status: 'ACTIVE' }),
    ]);
    const [row] = await h.sql<{
      access_token: string;
      refresh_token: string;
      token_key_id: string;
    }>(
      `SELECT access_token, refresh_token, token_key_id FROM installations WHERE location_id = $1`,
      [locationId],
    );
    const issued = ghl.requests.filter((r) => r.path === '/oauth/token');
    expect(issued.at(-1)?.body).toMatchObject({
      grant_type: 'authorization_code',
      user_type: 'Location',
      redirect_uri: h.config.GHL_REDIRECT_URI,
    });
    expect(row.access_token).toMatch(/^v1\.dev\./);
    expect(row.refresh_token).toMatch(/^v1\.dev\./);
    expect(row.token_key_id).toBe('dev');
    expect(JSON.stringify(row)).not.toMatch(/at-|rt-/);
  });

  it('mints location tokens for an agency install, and for locations it adds later', async () => {
    const orgId = randomUUID();
    const companyId = `co-${randomUUID().slice(0, 8)}`;
    const link = await installLink(orgId);
    const code = ghl.authorizationCode({
      userType: 'Company',
      companyId,
      locationIds: ['agency-l1', 'agency-l2'],
    });
    expect((await callback(code, link.searchParams.get('state')!)).body).toMatchObject({
      locations: 2,
    });
    const minted = ghl.requests.filter((r) => r.path === '/oauth/locationToken');
    expect(minted.map((r) => r.version)).toEqual(['2021-07-28', '2021-07-28']);

    const added = await appWebhook(ghl, h.baseUrl, {
      type: 'INSTALL',
      appId: ghl.appId,
      companyId,
      locationId: 'agency-l3',
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
    });
    expect(added).toEqual({ status: 200, body: { received: 'applied' } });
    const [company] = await installationsOf(orgId);
    expect(company).toMatchObject({ kind: 'COMPANY', status: 'ACTIVE' });
    expect(company.locations.map((l) => l.locationId).sort()).toEqual([
      'agency-l1',
      'agency-l2',
      'agency-l3',
    ]);

    // Uninstalling the agency stops every location under it.
    const removed = await appWebhook(ghl, h.baseUrl, {
      type: 'UNINSTALL',
      appId: ghl.appId,
      companyId,
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
    });
    expect(removed.status).toBe(200);
    const [after] = await installationsOf(orgId);
    expect(after.status).toBe('UNINSTALLED');
    expect(after.locations.every((l) => l.status === 'UNINSTALLED')).toBe(true);
  });

  it('refuses a forged or expired state without asking GHL for tokens', async () => {
    const link = await installLink(randomUUID());
    const state = link.searchParams.get('state')!;
    const before = ghl.requests.length;
    const forged = await callback('any', `${state.slice(0, -2)}xx`);
    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'INVALID_STATE' });
    h.clock.set(new Date(Date.now() + 16 * 60_000));
    try {
      expect((await callback('any', state)).status).toBe(400);
    } finally {
      h.clock.reset();
    }
    expect(ghl.requests.length).toBe(before);
  });

  it('uninstalls (tokens dropped, traffic stopped) and resumes on reinstall', async () => {
    const { orgId, companyId, locationId } = await installLocation();
    const uninstall = await appWebhook(ghl, h.baseUrl, {
      type: 'UNINSTALL',
      appId: ghl.appId,
      locationId,
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
    });
    expect(uninstall).toEqual({ status: 200, body: { received: 'applied' } });
    const [row] = await h.sql<{ status: string; access_token: string | null }>(
      `SELECT status, access_token FROM installations WHERE location_id = $1`,
      [locationId],
    );
    expect(row).toEqual({ status: 'UNINSTALLED', access_token: null });
    await expect(h.app.get(GhlTokens).locationToken(orgId, locationId)).rejects.toMatchObject({
      code: 'UNKNOWN_LOCATION',
    });

    // Reinstall: a new OAuth grant, the same row active again.
    const link = await installLink(orgId);
    const code = ghl.authorizationCode({
      userType: 'Location',
      companyId,
      locationIds: [locationId],
    });
    expect((await callback(code, link.searchParams.get('state')!)).status).toBe(200);
    expect(await installationsOf(orgId)).toEqual([
      expect.objectContaining({ locationId, status: 'ACTIVE' }),
    ]);
    await expect(h.app.get(GhlTokens).locationToken(orgId, locationId)).resolves.toMatch(/^at-/);
  });

  it('refuses bad and N/A signatures, stale timestamps and unknown locations, writing nothing; ignores replays', async () => {
    const { locationId } = await installLocation();
    const hook = (over: Record<string, unknown> = {}) => ({
      type: 'UNINSTALL',
      appId: ghl.appId,
      locationId,
      webhookId: randomUUID(),
      timestamp: new Date().toISOString(),
      ...over,
    });
    const receipts = async () =>
      Number((await h.sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_receipts`))[0].n);
    const before = await receipts();
    const refused = [
      await appWebhook(ghl, h.baseUrl, hook(), (raw) => ({
        'x-ghl-signature': GhlTestServer.foreignSignature(raw),
      })),
      await appWebhook(ghl, h.baseUrl, hook(), () => ({ 'x-ghl-signature': 'N/A' })),
      await appWebhook(ghl, h.baseUrl, hook(), () => ({})),
      // The legacy RSA header alone is refused unless GHL_ACCEPT_LEGACY_RSA_SIGNATURE is on.
      await appWebhook(ghl, h.baseUrl, hook(), (raw) => ({ 'x-wh-signature': ghl.signRsa(raw) })),
      // A valid Ed25519 header wins: a wrong one is not rescued by a valid RSA one.
      await appWebhook(ghl, h.baseUrl, hook(), (raw) => ({
        'x-ghl-signature': GhlTestServer.foreignSignature(raw),
        'x-wh-signature': ghl.signRsa(raw),
      })),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(
      Array(5).fill([401, 'INVALID_SIGNATURE']),
    );
    const stale = await appWebhook(
      ghl,
      h.baseUrl,
      hook({ timestamp: new Date(Date.now() - 6 * 60_000).toISOString() }),
    );
    expect([stale.status, stale.body.code]).toEqual([400, 'STALE_WEBHOOK']);
    const unknown = await appWebhook(ghl, h.baseUrl, hook({ locationId: 'never-installed' }));
    expect([unknown.status, unknown.body.code]).toEqual([404, 'UNKNOWN_LOCATION']);
    expect(await receipts()).toBe(before);
    const [still] = await h.sql<{ status: string }>(
      `SELECT status FROM installations WHERE location_id = $1`,
      [locationId],
    );
    expect(still.status).toBe('ACTIVE');

    // A replay of an applied webhook (same webhookId) is acknowledged and ignored.
    const install = hook({ type: 'INSTALL', companyId: 'co-x' });
    const raw = JSON.stringify(install);
    const first = await appWebhook(ghl, h.baseUrl, install);
    expect(first.body).toEqual({ received: 'applied' });
    const again = await appWebhook(ghl, h.baseUrl, JSON.parse(raw) as Record<string, unknown>);
    expect(again).toEqual({ status: 200, body: { received: 'duplicate' } });

    // Receipts older than the replay window are forgotten as new webhooks arrive.
    await h.sql(
      `INSERT INTO webhook_receipts (webhook_id, type, received_at)
       VALUES ('old-receipt', 'INSTALL', now() - interval '2 hours')`,
    );
    await appWebhook(ghl, h.baseUrl, hook({ type: 'INSTALL', companyId: 'co-x' }));
    const left = await h.sql<{ webhook_id: string }>(
      `SELECT webhook_id FROM webhook_receipts WHERE webhook_id IN ('old-receipt', $1)`,
      [install.webhookId],
    );
    expect(left.map((r) => r.webhook_id)).toEqual([install.webhookId]);
  });

  it('refreshes an expiring token once for concurrent callers and stores the rotated refresh token', async () => {
    const { orgId, locationId } = await installLocation();
    const tokens = h.app.get(GhlTokens);
    const first = await tokens.locationToken(orgId, locationId);
    const [before] = await h.sql<{ refresh_token: string }>(
      `SELECT refresh_token FROM installations WHERE location_id = $1`,
      [locationId],
    );
    // The token expires within the margin: five callers at once.
    await h.sql(
      `UPDATE installations SET expires_at = now() + interval '10 seconds' WHERE location_id = $1`,
      [locationId],
    );
    const refreshesBefore = ghl.requests.filter(
      (r) => (r.body as { grant_type?: string })?.grant_type === 'refresh_token',
    ).length;
    const got = await Promise.all(
      Array.from({ length: 5 }, () => tokens.locationToken(orgId, locationId)),
    );
    const refreshes = ghl.requests.filter(
      (r) => (r.body as { grant_type?: string })?.grant_type === 'refresh_token',
    );
    expect(refreshes.length - refreshesBefore).toBe(1);
    expect(refreshes.every((r) => r.status === 200)).toBe(true);
    expect(new Set(got).size).toBe(1);
    expect(got[0]).not.toBe(first);
    const [after] = await h.sql<{ refresh_token: string; expires_at: Date }>(
      `SELECT refresh_token, expires_at FROM installations WHERE location_id = $1`,
      [locationId],
    );
    expect(after.refresh_token).not.toBe(before.refresh_token);
    expect(after.expires_at.getTime()).toBeGreaterThan(Date.now() + 3600_000);
    // The rotated token works (the old one is spent): a second refresh succeeds.
    await h.sql(`UPDATE installations SET expires_at = now() WHERE location_id = $1`, [locationId]);
    await expect(tokens.locationToken(orgId, locationId)).resolves.toMatch(/^at-/);
    expect(ghl.requests.filter((r) => r.path === '/oauth/token' && r.status !== 200)).toEqual([]);
  });
  it("tests a location's connection and shows GHL traffic in the request log (no other tenant's)", async () => {
    const { orgId, locationId } = await installLocation();
    const owner = await h.owner(orgId);
    const { testGhlConnection } = await owner.expectData<{
      testGhlConnection: { ok: boolean; status: number };
    }>(`mutation($l: ID!) { testGhlConnection(locationId: $l) { ok status error durationMs } }`, {
      l: locationId,
    });
    expect(testGhlConnection).toMatchObject({ ok: true, status: 200 });
    const other = await installLocation();
    expect(
      await owner.errorCodes(`mutation($l: ID!) { testGhlConnection(locationId: $l) { ok } }`, {
        l: other.locationId,
      }),
    ).toEqual(['UNKNOWN_LOCATION']);
    const page = async (after?: string) =>
      (
        await owner.expectData<{
          ghlRequestLog: {
            edges: {
              cursor: string;
              node: { operation: string; status: number; locationId: string };
            }[];
            pageInfo: { hasNextPage: boolean; endCursor: string };
          };
        }>(
          `query($after: String) { ghlRequestLog(first: 1, after: $after) {
             edges { cursor node { operation method path status locationId durationMs at } }
             pageInfo { hasNextPage endCursor } } }`,
          { after },
        )
      ).ghlRequestLog;
    const first = await page();
    expect(first.edges[0].node).toMatchObject({
      operation: 'connection.test',
      status: 200,
      locationId,
    });
    const rest = await page(first.pageInfo.endCursor);
    expect(rest.edges.every((e) => e.node.locationId !== other.locationId)).toBe(true);
    expect(
      await owner.errorCodes('{ ghlRequestLog(after: "bogus") { pageInfo { hasNextPage } } }'),
    ).toEqual(['INVALID_PAGINATION']);
    const member = h.graphql(await h.tokens.user(orgId, 'USER'));
    expect(
      await member.errorCodes(`mutation($l: ID!) { testGhlConnection(locationId: $l) { ok } }`, {
        l: locationId,
      }),
    ).toEqual(['FORBIDDEN']);
  });
});
