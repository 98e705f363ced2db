import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { JwtVerifier, Principal } from '@switchboard/auth';

/** Who is calling, as the gateway forwards it to the subgraphs. */
export interface EdgeIdentity {
  principal?: Principal;
  /** The access token the subgraphs verify again (defence in depth). */
  forwardToken?: string;
}

export interface TokenExchange {
  /** Exchanges an API token (`sbk_…`) for a short-lived access JWT; null when it is not valid. */
  exchange(apiToken: string): Promise<{ accessToken: string; expiresIn: number } | null>;
}

/** Calls accounts' internal token-exchange endpoint. */
export class HttpTokenExchange implements TokenExchange {
  constructor(
    private readonly url: string,
    private readonly internalSecret: string,
    private readonly timeoutMs = 3000,
  ) {}

  async exchange(apiToken: string): Promise<{ accessToken: string; expiresIn: number } | null> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'x-internal-secret': this.internalSecret },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status === 401 || response.status === 403) return null;
    if (!response.ok) throw new Error(`token exchange answered ${response.status}`);
    const body = (await response.json()) as { accessToken?: unknown; expiresIn?: unknown };
    if (typeof body.accessToken !== 'string') throw new Error('token exchange gave no accessToken');
    return { accessToken: body.accessToken, expiresIn: Number(body.expiresIn) || 60 };
  }
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/**
 * Authentication at the edge. A Bearer JWT is verified against the JWKS; a Bearer API token is
 * exchanged with accounts for a short-lived internal JWT, cached for at most `cacheSeconds`
 * (so a revoked API token stops working within that window). No Authorization header means an
 * anonymous caller (sign-up, log-in); a bad one is refused here, before any subgraph is called.
 */
export class EdgeAuthenticator {
  private readonly cache = new Map<
    string,
    { token: string; principal: Principal; until: number }
  >();

  constructor(
    private readonly verifier: Pick<JwtVerifier, 'verify'>,
    private readonly exchange: TokenExchange,
    private readonly cacheSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async identify(authorization: string | undefined): Promise<EdgeIdentity> {
    if (!authorization) return {};
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
    const token = match[1];
    if (token.startsWith('sbk_')) return this.fromApiToken(token);
    try {
      return { principal: await this.verifier.verify(token), forwardToken: token };
    } catch (error) {
      const expired = /expired/i.test((error as Error).message);
      throw unauthenticated(expired ? 'Access token expired' : 'Invalid access token');
    }
  }

  private async fromApiToken(apiToken: string): Promise<EdgeIdentity> {
    const key = createHash('sha256').update(apiToken).digest('hex');
    const cached = this.cache.get(key);
    if (cached && cached.until > this.now())
      return { principal: cached.principal, forwardToken: cached.token };
    this.cache.delete(key);
    const exchanged = await this.exchange.exchange(apiToken);
    if (!exchanged) throw unauthenticated('Invalid API token');
    const principal = await this.verifier.verify(exchanged.accessToken);
    // Never cache past the exchanged token's own life (minus a margin for the subgraphs' check).
    const ttlMs = Math.max(0, Math.min(this.cacheSeconds, exchanged.expiresIn - 10) * 1000);
    if (ttlMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { token: exchanged.accessToken, principal, until: this.now() + ttlMs });
    }
    return { principal, forwardToken: exchanged.accessToken };
  }
}
