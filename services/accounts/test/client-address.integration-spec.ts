// Per-IP limits behind the gateway: the client address is the real client's, taken from
// X-Forwarded-For only when the peer is a proxy the service trusts (TRUST_PROXY; the default
// trusts loopback and the private ranges, where the gateway runs). See "Client address behind
// the gateway" in libs/service-kit/README.md.
import { randomUUID } from 'node:crypto';
import { graphqlClient } from '@switchboard/testing';
import { startAccounts, type AccountsUnderTest } from './harness';

const LOG_IN = 'mutation ($i: LogInInput!) { logIn(input: $i) { accessToken } }';

async function logInCode(
  accounts: AccountsUnderTest,
  forwardedFor?: string,
): Promise<string | undefined> {
  const client = graphqlClient(
    accounts.graphqlUrl,
    undefined,
    forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  );
  const [code] = await client.errorCodes(LOG_IN, {
    i: { email: `nobody-${randomUUID()}@example.test`, password: 'wrong pw 1' },
  });
  return code;
}

const limits = { LOGIN_MAX_FAILURES_PER_IP: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' };

describe('client address behind the gateway', () => {
  let behindGateway: AccountsUnderTest;
  let untrustedPeer: AccountsUnderTest;

  beforeAll(async () => {
    // The test client is 127.0.0.1: a trusted proxy by default, as the gateway on the host is.
    behindGateway = await startAccounts({ env: limits });
    // Here only 10.0.0.0/8 is trusted, so 127.0.0.1 is an untrusted peer.
    untrustedPeer = await startAccounts({ env: { ...limits, TRUST_PROXY: '10.0.0.0/8' } });
  });

  afterAll(async () => {
    await behindGateway?.stop();
    await untrustedPeer?.stop();
  });

  it('limits two clients behind the gateway address separately', async () => {
    const a = '203.0.113.10';
    const b = '203.0.113.20';
    for (let i = 0; i < 3; i++) {
      expect(await logInCode(behindGateway, a)).toBe('INVALID_CREDENTIALS');
    }
    expect(await logInCode(behindGateway, a)).toBe('TOO_MANY_ATTEMPTS');
    // The other client, same gateway, is not locked out.
    expect(await logInCode(behindGateway, b)).toBe('INVALID_CREDENTIALS');
    // The gateway appends the client it saw: the rightmost untrusted address counts, so a
    // client cannot pick its own by sending X-Forwarded-For to the gateway.
    expect(await logInCode(behindGateway, `198.51.100.99, ${a}`)).toBe('TOO_MANY_ATTEMPTS');
  });

  it('ignores X-Forwarded-For from a peer it does not trust', async () => {
    for (let i = 0; i < 3; i++) {
      expect(await logInCode(untrustedPeer, `203.0.113.${100 + i}`)).toBe('INVALID_CREDENTIALS');
    }
    // A new spoofed address each time changes nothing: every attempt counted against the peer.
    expect(await logInCode(untrustedPeer, '203.0.113.200')).toBe('TOO_MANY_ATTEMPTS');
    expect(await logInCode(untrustedPeer)).toBe('TOO_MANY_ATTEMPTS');
  });
});
