import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export const ISSUER = 'https://accounts.switchboard.test';
export const AUDIENCE = 'switchboard-api';

/**
 * Access tokens as the accounts service issues them (RS256, `typ: at+jwt`, a `kid` served as
 * JWKS from a local HTTP server), for the messaging app under test to verify.
 */
export class TokenIssuer {
  private key?: { privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK };
  private readonly kid = `test-${randomUUID().slice(0, 8)}`;
  private readonly server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [this.key!.jwk] }));
  });

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async start(): Promise<this> {
    const pair = await generateKeyPair('RS256', { extractable: true });
    this.key = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' },
    };
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private sign(claims: Record<string, unknown>): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: ISSUER,
      aud: AUDIENCE,
      iat: now,
      exp: now + 900,
      jti: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: this.kid })
      .sign(this.key!.privateKey);
  }

  /** A signed-in member (USER: messages:send + messages:read) of `orgId`. */
  user(orgId: string, role: 'USER' | 'CUSTOMER' | 'ADMIN' = 'USER'): Promise<string> {
    return this.sign({ typ: 'user', sub: randomUUID(), org: orgId, role, sid: randomUUID() });
  }

  /** An API token of `orgId` carrying `scopes`. */
  apiToken(orgId: string, scopes: string[]): Promise<string> {
    return this.sign({
      typ: 'api_token',
      sub: randomUUID(),
      org: orgId,
      role: 'CUSTOMER',
      scope: scopes.join(' '),
    });
  }

  device(orgId: string): Promise<string> {
    return this.sign({ typ: 'device', sub: randomUUID(), org: orgId });
  }
}
