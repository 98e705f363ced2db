// Google sign-in through OpenID Connect against a real local provider (oidc-provider): the
// discovery, the code exchange and the ID token verification are the production code path.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  AUTH_FIELDS,
  PASSWORD,
  signUp,
  startAccounts,
  uniqueIdentity,
  type AccountsUnderTest,
  type AuthPayload,
} from './harness';

const CLIENT_ID = 'switchboard-test';
const CLIENT_SECRET = 'test-client-secret-0123456789';
const REDIRECT_URI = 'https://app.switchboard.test/auth/google/callback';

async function startProvider(): Promise<{ issuer: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(__dirname, 'fixtures/oidc-provider.mjs'), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const issuer = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n')) resolve((JSON.parse(line) as { issuer: string }).issuer);
    });
    child.once('exit', (code) => reject(new Error(`oidc provider exited with ${code}`)));
    setTimeout(() => reject(new Error('oidc provider did not start')), 15_000).unref();
  });
  return { issuer, child };
}

/** A browser's part: follows the provider's redirects (keeping its cookies) to our callback. */
async function authorize(url: string, email: string): Promise<{ code: string; state: string }> {
  const cookies = new Map<string, string>();
  let next = new URL(url);
  next.searchParams.set('login_hint', email);
  for (let hop = 0; hop < 15; hop++) {
    const response = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(
        `provider answered ${response.status} without a redirect: ${await response.text()}`,
      );
    next = new URL(location, next);
    if (next.toString().startsWith(REDIRECT_URI)) {
      const code = next.searchParams.get('code');
      const state = next.searchParams.get('state');
      if (!code || !state) throw new Error(`callback without code: ${next.toString()}`);
      return { code, state };
    }
  }
  throw new Error('too many redirects');
}

describe('Google sign-in (OpenID Connect)', () => {
  let provider: { issuer: string; child: ChildProcess };
  let accounts: AccountsUnderTest;

  beforeAll(async () => {
    provider = await startProvider();
    accounts = await startAccounts({
      env: {
        GOOGLE_OIDC_ISSUER: provider.issuer,
        GOOGLE_CLIENT_ID: CLIENT_ID,
        GOOGLE_CLIENT_SECRET: CLIENT_SECRET,
        GOOGLE_REDIRECT_URI: REDIRECT_URI,
      },
    });
  });
  afterAll(async () => {
    await accounts?.stop();
    provider?.child.kill('SIGTERM');
  });

  const SIGN_IN = `mutation ($i: GoogleSignInInput!) { signInWithGoogle(input: $i) { ${AUTH_FIELDS} } }`;
  const start = async () =>
    (
      await accounts.gql.expectData<{ googleSignInUrl: { url: string; state: string } }>(
        '{ googleSignInUrl { url state } }',
      )
    ).googleSignInUrl;

  it('signs up a new Google identity with an organization, then signs it in again', async () => {
    const who = uniqueIdentity('google');
    const first = await start();
    const url = new URL(first.url);
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('nonce')).toBeTruthy();

    const callback = await authorize(first.url, who.email);
    expect(callback.state).toBe(first.state);
    expect(await accounts.gql.errorCodes(SIGN_IN, { i: { ...callback } })).toEqual([
      'NO_ORGANIZATION',
    ]);

    const again = await authorize((await start()).url, who.email);
    const created = await accounts.gql.expectData<{ signInWithGoogle: AuthPayload }>(SIGN_IN, {
      i: { ...again, organizationName: who.name, organizationSlug: who.slug },
    });
    expect(created.signInWithGoogle.user).toMatchObject({ email: who.email, emailVerified: true });
    expect(created.signInWithGoogle.organization.slug).toBe(who.slug);

    const later = await authorize((await start()).url, who.email);
    const signedIn = await accounts.gql.expectData<{ signInWithGoogle: AuthPayload }>(SIGN_IN, {
      i: later,
    });
    expect(signedIn.signInWithGoogle.user.id).toBe(created.signInWithGoogle.user.id);
    // No password was set: password login is refused.
    expect(
      await accounts.gql.errorCodes(
        'mutation ($i: LogInInput!) { logIn(input: $i) { accessToken } }',
        {
          i: { email: who.email, password: PASSWORD },
        },
      ),
    ).toEqual(['INVALID_CREDENTIALS']);
  });

  it('links a Google identity to the existing account with the same verified email', async () => {
    const existing = await signUp(accounts);
    const callback = await authorize((await start()).url, existing.user.email);
    const signedIn = await accounts.gql.expectData<{ signInWithGoogle: AuthPayload }>(SIGN_IN, {
      i: callback,
    });
    expect(signedIn.signInWithGoogle.user.id).toBe(existing.user.id);
    expect(signedIn.signInWithGoogle.organization.id).toBe(existing.organization.id);
  });

  it('refuses a forged state, a reused code and an unverified email', async () => {
    const who = uniqueIdentity('google');
    const callback = await authorize((await start()).url, who.email);
    const forged = Buffer.from(callback.state, 'base64url');
    forged[5] ^= 1;
    expect(
      (
        await accounts.gql.request(SIGN_IN, {
          i: { code: callback.code, state: forged.toString('base64url'), organizationName: 'x' },
        })
      ).errors?.[0].extensions,
    ).toMatchObject({ code: 'GOOGLE_SIGN_IN_FAILED', details: { reason: 'invalid_state' } });
    // A state from another sign-in: its PKCE verifier does not match the code.
    const other = await start();
    expect(
      (
        await accounts.gql.request(SIGN_IN, {
          i: { code: callback.code, state: other.state, organizationName: 'x' },
        })
      ).errors?.[0].extensions,
    ).toMatchObject({ code: 'GOOGLE_SIGN_IN_FAILED' });
    // With its own state the code works once; a second use is refused by the provider.
    const input = { ...callback, organizationName: who.name, organizationSlug: who.slug };
    expect(await accounts.gql.errorCodes(SIGN_IN, { i: input })).toEqual([]);
    expect(
      (await accounts.gql.request(SIGN_IN, { i: input })).errors?.[0].extensions,
    ).toMatchObject({
      code: 'GOOGLE_SIGN_IN_FAILED',
      details: { reason: 'code_exchange_refused' },
    });

    const unverified = await authorize((await start()).url, `unverified-${who.email}`);
    expect(
      (await accounts.gql.request(SIGN_IN, { i: { ...unverified, organizationName: 'x' } }))
        .errors?.[0].extensions,
    ).toMatchObject({ code: 'GOOGLE_SIGN_IN_FAILED', details: { reason: 'email_not_verified' } });
  });
});
