import { createHash } from 'node:crypto';

/** The JWKS as the gateway publishes it. */
export interface PublishedJwks {
  /** `{"keys":[…]}` with public key members only. */
  body: string;
  /** A strong validator of the body (`If-None-Match` → 304). */
  etag: string;
  /** How long a client may cache it: what is left of the gateway's own cache time. */
  maxAgeSeconds: number;
}

export interface JwksPublisherOptions {
  /** accounts' JWKS (AUTH_JWKS_URL). */
  upstreamUrl: string;
  /** The longest the gateway keeps a copy (JWKS_CACHE_SECONDS); a shorter upstream max-age wins. */
  maxCacheSeconds: number;
  /** How long past its time a copy is served while accounts cannot be reached. */
  staleIfErrorSeconds: number;
  timeoutMs?: number;
  now?: () => number;
  /** Told when accounts could not be read and a stale copy was served. */
  onStale?: (error: Error) => void;
}

/** Thrown when the JWKS can be neither read from accounts nor served from the cache. */
export class JwksUnavailable extends Error {
  readonly code = 'JWKS_UNAVAILABLE';
  constructor(cause: Error) {
    super('The signing keys are unavailable', { cause });
    this.name = 'JwksUnavailable';
  }
}

/** The members a public JWK may carry: anything else (private parts, `k`) is never published. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'alg', 'key_ops', 'n', 'e', 'crv', 'x', 'y'];

/** The public keys of a JWKS document; symmetric keys are dropped, private members stripped. */
export function publicJwks(document: unknown): { keys: Record<string, unknown>[] } {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('the JWKS has no "keys" array');
  return {
    keys: keys
      .filter((key): key is Record<string, unknown> => typeof key === 'object' && key !== null)
      .filter((key) => key.kty === 'RSA' || key.kty === 'EC' || key.kty === 'OKP')
      .map((key) =>
        Object.fromEntries(PUBLIC_MEMBERS.filter((m) => m in key).map((m) => [m, key[m]])),
      ),
  };
}

/** `max-age` of a Cache-Control header; 0 for `no-store`/`no-cache`; undefined when absent. */
export function maxAgeOf(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  if (/\bno-(store|cache)\b/i.test(cacheControl)) return 0;
  const match = /\bmax-age=(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

interface CachedJwks {
  body: string;
  etag: string;
  fetchedAt: number;
  ttlMs: number;
}

/**
 * `/.well-known/jwks.json` of the public origin: accounts' JWKS, fetched and cached by the
 * gateway. A copy is kept for accounts' own max-age (5 min), at most `maxCacheSeconds`, and
 * clients are told to cache it for what is left of that, so a key accounts publishes ahead of
 * a rotation reaches them within one cache period, before tokens are signed with it. While
 * accounts cannot be read, the last copy is served for `staleIfErrorSeconds` more.
 */
export class JwksPublisher {
  private cached?: CachedJwks;
  private refreshing?: Promise<CachedJwks>;
  private readonly now: () => number;

  constructor(private readonly options: JwksPublisherOptions) {
    this.now = options.now ?? Date.now;
  }

  async current(): Promise<PublishedJwks> {
    const now = this.now();
    const cached = this.cached;
    if (cached && now < cached.fetchedAt + cached.ttlMs) return this.published(cached, now);
    try {
      this.refreshing ??= this.fetch().finally(() => (this.refreshing = undefined));
      const fresh = await this.refreshing;
      this.cached = fresh;
      return this.published(fresh, this.now());
    } catch (error) {
      const staleUntil = cached
        ? cached.fetchedAt + cached.ttlMs + this.options.staleIfErrorSeconds * 1000
        : 0;
      if (cached && now < staleUntil) {
        this.options.onStale?.(error as Error);
        return { body: cached.body, etag: cached.etag, maxAgeSeconds: 0 };
      }
      throw new JwksUnavailable(error as Error);
    }
  }

  private published(cached: CachedJwks, now: number): PublishedJwks {
    const left = Math.max(0, Math.floor((cached.fetchedAt + cached.ttlMs - now) / 1000));
    return { body: cached.body, etag: cached.etag, maxAgeSeconds: left };
  }

  private async fetch(): Promise<CachedJwks> {
    const response = await fetch(this.options.upstreamUrl, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
    });
    if (!response.ok) throw new Error(`the JWKS endpoint answered ${response.status}`);
    const body = JSON.stringify(publicJwks(await response.json()));
    const upstreamMaxAge = maxAgeOf(response.headers.get('cache-control'));
    const seconds = Math.min(
      upstreamMaxAge ?? this.options.maxCacheSeconds,
      this.options.maxCacheSeconds,
    );
    return {
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
      fetchedAt: this.now(),
      ttlMs: seconds * 1000,
    };
  }
}

/**
 * `/.well-known/openid-configuration`, OpenID-style discovery for verifiers: who issues the
 * tokens, where their keys are, which algorithms they are signed with. (There is no
 * authorization endpoint: tokens come from the GraphQL API.)
 */
export function openIdConfiguration(issuer: string, publicOrigin: string) {
  return {
    issuer,
    jwks_uri: `${publicOrigin.replace(/\/+$/, '')}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ['RS256'],
    subject_types_supported: ['public'],
  };
}
