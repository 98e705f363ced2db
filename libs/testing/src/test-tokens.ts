import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export interface TestSigningKey extends KeyPair {
  kid: string;
  jwk: JWK;
  publicPem: string;
}

export async function signingKey(kid: string): Promise<TestSigningKey> {
  const pair = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { ...pair, kid, jwk, publicPem: await exportSPKI(pair.publicKey) };
}

/** A JWKS endpoint like the accounts service's, counting how often it is read. */
export class JwksServer {
  fetches = 0;
  private keys: JWK[] = [];
  private readonly server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    this.fetches++;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: this.keys }));
  });

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  publish(...keys: TestSigningKey[]): void {
    this.keys = keys.map((key) => key.jwk);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** An access token as the accounts service signs it; `header` overrides `typ`/`kid`. */
export function accessToken(
  key: TestSigningKey,
  payload: Record<string, unknown>,
  header: { typ?: string; kid?: string } = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...header })
    .sign(key.privateKey);
}

/**
 * Issues access tokens the way the accounts service does, and serves their JWKS, so a test can
 * boot a service or the gateway with real RS256 verification without running accounts.
 */
export class TestTokenIssuer {
  readonly issuer = 'https://accounts.switchboard.test';
  readonly audience = 'switchboard-api';
  private constructor(
    private readonly key: TestSigningKey,
    private readonly jwks: JwksServer,
  ) {}

  static async start(): Promise<TestTokenIssuer> {
    const key = await signingKey(`test-${randomUUID().slice(0, 8)}`);
    const jwks = new JwksServer();
    jwks.publish(key);
    await jwks.start();
    return new TestTokenIssuer(key, jwks);
  }

  get jwksUrl(): string {
    return this.jwks.url;
  }

  /** Settings for libs/auth (AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE). */
  get authEnv(): Record<string, string> {
    return { AUTH_JWKS_URL: this.jwksUrl, AUTH_ISSUER: this.issuer, AUTH_AUDIENCE: this.audience };
  }

  /** A user's access token: `role` CUSTOMER, USER or ADMIN in organization `orgId`. */
  user(
    orgId: string,
    role: 'ADMIN' | 'CUSTOMER' | 'USER' = 'CUSTOMER',
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return accessToken(this.key, {
      iss: this.issuer,
      aud: this.audience,
      sub: randomUUID(),
      org: orgId,
      role,
      sid: randomUUID(),
      jti: randomUUID(),
      typ: 'user',
      iat: now,
      exp: now + 15 * 60,
      ...extra,
    });
  }

  /** An exchanged API token's access token with explicit scopes. */
  apiToken(orgId: string, scopes: string[], extra: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return accessToken(this.key, {
      iss: this.issuer,
      aud: this.audience,
      sub: randomUUID(),
      org: orgId,
      role: 'USER',
      scope: scopes.join(' '),
      jti: randomUUID(),
      typ: 'api_token',
      iat: now,
      exp: now + 5 * 60,
      ...extra,
    });
  }

  /** An access token of `typ: device` (a device principal: an organization, no scopes). */
  device(orgId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return accessToken(this.key, {
      iss: this.issuer,
      aud: this.audience,
      sub: randomUUID(),
      org: orgId,
      jti: randomUUID(),
      typ: 'device',
      iat: now,
      exp: now + 15 * 60,
      ...extra,
    });
  }

  stop(): Promise<void> {
    return this.jwks.stop();
  }
}
