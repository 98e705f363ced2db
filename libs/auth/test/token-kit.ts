import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose';

export const ISSUER = 'https://accounts.switchboard.test';
export const AUDIENCE = 'switchboard-api';
export const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';

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

export const now = () => Math.floor(Date.now() / 1000);

export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: '5b0e8f0e-3c55-4a4e-9a43-0f4a8f1f6e21',
    org: ORG,
    role: 'USER',
    sid: 'session-1',
    jti: 'token-1',
    typ: 'user',
    iat: now(),
    exp: now() + 15 * 60,
    ...overrides,
  };
}

/** An access token as the accounts service signs it; `header` overrides `typ`/`kid`. */
export function accessToken(
  key: TestSigningKey,
  payload: Record<string, unknown> = claims(),
  header: { typ?: string; kid?: string } = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...header })
    .sign(key.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `alg: none`: an unsigned token with an empty signature. */
export function unsignedToken(kid: string, payload: Record<string, unknown> = claims()): string {
  return `${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(payload)}.`;
}

/** The classic key-confusion forgery: HS256 with the RSA public key's PEM as the secret. */
export function hmacWithPublicKey(
  key: TestSigningKey,
  payload: Record<string, unknown> = claims(),
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
    .sign(new TextEncoder().encode(key.publicPem));
}
