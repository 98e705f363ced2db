import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

export const ISSUER = 'switchboard-test';
export const AUDIENCE = 'switchboard-test';

/**
 * The accounts service's side of authentication, for tests: a JWKS endpoint and access tokens
 * signed like accounts signs them (RS256, `typ: at+jwt`, a `kid`).
 */
export class AuthKit {
  private server?: Server;
  private key?: Awaited<ReturnType<typeof generateKeyPair>>;
  private jwk?: JWK;
  private readonly kid = `test-${randomUUID().slice(0, 8)}`;

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async start(): Promise<void> {
    this.key = await generateKeyPair('RS256');
    this.jwk = {
      ...(await exportJWK(this.key.publicKey)),
      kid: this.kid,
      alg: 'RS256',
      use: 'sig',
    };
    this.server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [this.jwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** An access token of a user of `orgId` with `role` (CUSTOMER: owner; USER: member). */
  userToken(orgId: string, role: 'CUSTOMER' | 'USER' | 'ADMIN' = 'CUSTOMER'): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      org: orgId,
      role,
      sid: randomUUID(),
      typ: 'user',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: this.kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(randomUUID())
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .sign(this.key!.privateKey);
  }
}
