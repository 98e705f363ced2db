import { JwksClient } from 'jwks-rsa';
import { TokenRejection } from './token-rejection';

/** Where the verifier gets the public key of a `kid`. */
export interface SigningKeySource {
  /** The PEM public key of `kid`; rejects with a TokenRejection (`unknown_key` or `keys_unavailable`). */
  publicKey(kid: string): Promise<string>;
}

export interface JwksOptions {
  jwksUrl: string;
  /** How long a fetched key is trusted before the JWKS is read again (default 10 min). */
  cacheMaxAgeMs?: number;
  /** Fetches of the JWKS allowed per minute for keys not in the cache (default 10). */
  requestsPerMinute?: number;
  timeoutMs?: number;
  /**
   * Serve a key past `cacheMaxAgeMs` for this long while the JWKS endpoint is down (default
   * off: a key removed from the JWKS stops being trusted after `cacheMaxAgeMs`).
   */
  staleKeyFallbackMs?: number;
}

/**
 * Keys from the accounts service's `/.well-known/jwks.json` through jwks-rsa: cached per
 * `kid`, so a token signed with a key not seen before (rotation) triggers one fetch, and those
 * fetches are rate-limited so random `kid`s cannot hammer the endpoint.
 */
export class JwksKeySource implements SigningKeySource {
  private readonly client: JwksClient;

  constructor(options: JwksOptions) {
    this.client = new JwksClient({
      jwksUri: options.jwksUrl,
      cache: true,
      cacheMaxEntries: 16,
      cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
      ...(options.staleKeyFallbackMs ? { cacheMaxAgeFallback: options.staleKeyFallbackMs } : {}),
      rateLimit: true,
      jwksRequestsPerMinute: options.requestsPerMinute ?? 10,
      timeout: options.timeoutMs ?? 5_000,
    });
  }

  async publicKey(kid: string): Promise<string> {
    try {
      const key = await this.client.getSigningKey(kid);
      return key.getPublicKey();
    } catch (error) {
      if ((error as Error)?.name === 'SigningKeyNotFoundError') {
        throw new TokenRejection('unknown_key', 'no signing key with this kid', { cause: error });
      }
      throw new TokenRejection('keys_unavailable', 'JWKS could not be read', { cause: error });
    }
  }
}
