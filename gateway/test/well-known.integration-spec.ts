// The gateway publishes accounts' JWKS and an OpenID-style discovery document on the public
// origin: cached with headers that say for how long, a key accounts publishes ahead of a
// rotation shows within one cache period, and a token accounts signs verifies against it.
import { JwtVerifier } from '@switchboard/auth';
import { accessToken, JwksServer, signingKey, type TestSigningKey } from '@switchboard/testing';
import { startTestGateway } from './support/test-gateway';

const ISSUER = 'urn:switchboard:accounts';
const AUDIENCE = 'switchboard-api';

describe('the gateway’s /.well-known', () => {
  let accounts: JwksServer;
  let first: TestSigningKey;
  let next: TestSigningKey;
  let now = Date.now();
  const stops: (() => Promise<void>)[] = [];

  async function boot(jwks: JwksServer, env: Record<string, string> = {}) {
    const gateway = await startTestGateway({
      env: {
        NODE_ENV: 'test',
        AUTH_JWKS_URL: jwks.url,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        ...env,
      },
      now: () => now,
    });
    stops.push(() => gateway.stop());
    return gateway.origin;
  }

  beforeAll(async () => {
    [first, next] = await Promise.all([signingKey('key-1'), signingKey('key-2')]);
    accounts = new JwksServer();
    accounts.publish(first);
    await accounts.start();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => accounts?.stop());

  const kids = async (response: Response) =>
    ((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  it('publishes a discovery document whose jwks_uri verifies a token accounts signed', async () => {
    const origin = await boot(accounts, { GATEWAY_PUBLIC_URL: 'https://api.switchboard.test' });
    const discovery = await fetch(`${origin}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    const document = (await discovery.json()) as Record<string, unknown>;
    expect(document).toEqual({
      issuer: ISSUER,
      jwks_uri: 'https://api.switchboard.test/.well-known/jwks.json',
      id_token_signing_alg_values_supported: ['RS256'],
      subject_types_supported: ['public'],
    });
    // A partner reaches the gateway only: verify against its JWKS.
    const token = await accessToken(first, {
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'user-1',
      org: '00000000-0000-4000-8000-000000000001',
      role: 'CUSTOMER',
      sid: 'session-1',
      jti: 'token-1',
      typ: 'user',
      exp: Math.floor(Date.now() / 1000) + 300,
      iat: Math.floor(Date.now() / 1000),
    });
    const verifier = new JwtVerifier({
      jwksUrl: `${origin}/.well-known/jwks.json`,
      issuer: String(document.issuer),
      audience: AUDIENCE,
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('caches the JWKS, says for how long, answers 304 to a known ETag, and shows a rotation within one period', async () => {
    const origin = await boot(accounts, { JWKS_CACHE_SECONDS: '300' });
    const before = accounts.fetches;
    const response = await fetch(`${origin}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/jwk-set+json');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await kids(response)).toEqual(['key-1']);
    const etag = response.headers.get('etag')!;
    const again = await fetch(`${origin}/.well-known/jwks.json`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(accounts.fetches).toBe(before + 1);

    // accounts publishes the next key ahead of signing with it.
    accounts.publish(first, next);
    now += 100_000;
    const cached = await fetch(`${origin}/.well-known/jwks.json`);
    expect(cached.headers.get('cache-control')).toBe('public, max-age=200');
    expect(await kids(cached)).toEqual(['key-1']);
    now += 200_000;
    const rotated = await fetch(`${origin}/.well-known/jwks.json`);
    expect(await kids(rotated)).toEqual(['key-1', 'key-2']);
    expect(rotated.headers.get('etag')).not.toBe(etag);
    expect(accounts.fetches).toBe(before + 2);
  });

  it('serves the last copy while accounts is down, for a while, then 503 JWKS_UNAVAILABLE', async () => {
    const flaky = new JwksServer();
    flaky.publish(first);
    await flaky.start();
    const origin = await boot(flaky, {
      JWKS_CACHE_SECONDS: '60',
      JWKS_STALE_IF_ERROR_SECONDS: '600',
    });
    expect((await fetch(`${origin}/.well-known/jwks.json`)).status).toBe(200);
    await flaky.stop();
    now += 120_000;
    const stale = await fetch(`${origin}/.well-known/jwks.json`);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('cache-control')).toBe('public, max-age=0');
    expect(await kids(stale)).toEqual(['key-1']);
    now += 600_000;
    const gone = await fetch(`${origin}/.well-known/jwks.json`);
    expect(gone.status).toBe(503);
    expect(await gone.json()).toMatchObject({ code: 'JWKS_UNAVAILABLE', status: 503 });
    expect(gone.headers.get('cache-control')).toBe('no-store');
  });
});
