import { createPublicKey, type KeyObject } from 'node:crypto';
import type { VerifyOptions } from 'jsonwebtoken';
import { Strategy } from 'passport-jwt';
import { JwksKeySource, type JwksOptions, type SigningKeySource } from './jwks-key-source';
import { principalFromClaims, type Principal } from './principal';
import { authenticationError, TokenRejection } from './token-rejection';

export const ACCESS_TOKEN_ALGORITHMS = ['RS256'] as const;
export const MAX_CLOCK_TOLERANCE_SECONDS = 5;

export interface JwtVerifierOptions {
  /** The accounts service's `/.well-known/jwks.json`. */
  jwksUrl: string;
  issuer: string;
  audience: string | [string, ...string[]];
  /** Leeway for `exp`/`nbf`, 0–5 s (default 5). */
  clockToleranceSeconds?: number;
  jwks?: Omit<JwksOptions, 'jwksUrl'>;
  /**
   * How long `verify` remembers a token it accepted (default 30 s, never past the token's own
   * `exp`; 0: verify every time). The same token string on a later request is then answered
   * without the RSA check (profiled: ~6 % of the gateway's CPU a request). Within the JWKS
   * client's own key cache (10 min by default) this trusts nothing longer than before.
   */
  verifiedCacheSeconds?: number;
}

/** At most this many remembered tokens (then the memory starts over). */
const MAX_REMEMBERED_TOKENS = 10_000;

type VerifyJwt = (
  token: string,
  key: string | KeyObject,
  options: VerifyOptions,
  done: (error: Error | null, payload?: unknown) => void,
) => void;

/**
 * passport-jwt's own verification call (jsonwebtoken's `verify`), so the plain verifier and the
 * passport strategy check signatures, `exp`, `nbf`, `iss` and `aud` with the same code.
 */
const verifyJwt: VerifyJwt = (...args) =>
  (Strategy as unknown as { JwtVerifier: VerifyJwt }).JwtVerifier(...args);

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const MAX_TOKEN_LENGTH = 8192;
const ACCESS_TOKEN_TYPE = /^(application\/)?at\+jwt$/i;

function headerOf(token: unknown): Record<string, unknown> {
  const malformed = new TokenRejection('malformed', 'not a compact JWS');
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw malformed;
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString());
  } catch {
    throw malformed;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw malformed;
  return header as Record<string, unknown>;
}

/** The header rules, checked before any key lookup; returns the `kid`. */
function kidOfAccessToken(header: Record<string, unknown>): string {
  if (header.alg !== 'RS256') throw new TokenRejection('unsupported_alg', 'alg is not RS256');
  if (typeof header.typ !== 'string' || !ACCESS_TOKEN_TYPE.test(header.typ)) {
    throw new TokenRejection('wrong_type', 'typ is not at+jwt');
  }
  if (header.crit !== undefined) throw new TokenRejection('malformed', 'crit is not supported');
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new TokenRejection('unknown_key', 'no kid');
  }
  return header.kid;
}

/**
 * Verifies the accounts service's access tokens: RS256 only, header `typ: at+jwt` with a
 * `kid` from the JWKS, `iss` and `aud` as configured, `exp` required, at most 5 s of clock
 * leeway, and claims that make a known principal. The Nest `JwtStrategy` runs the same steps
 * (`keyFor`, `verifyOptions`, `principalOf`) inside passport.
 */
export class JwtVerifier {
  readonly verifyOptions: Readonly<
    VerifyOptions & {
      algorithms: ['RS256'];
      issuer: string;
      audience: string | [string, ...string[]];
    }
  >;
  private readonly keys: SigningKeySource;
  /** Parsed keys by PEM: jsonwebtoken would parse the PEM again on every verification. */
  private readonly parsed = new Map<string, KeyObject>();
  /** Tokens `verify` accepted, until when (epoch ms) they are answered from here. */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly verifiedCacheMs: number;

  constructor(options: JwtVerifierOptions, keys?: SigningKeySource) {
    const tolerance = options.clockToleranceSeconds ?? MAX_CLOCK_TOLERANCE_SECONDS;
    if (!(tolerance >= 0 && tolerance <= MAX_CLOCK_TOLERANCE_SECONDS)) {
      throw new Error(`clockToleranceSeconds must be between 0 and ${MAX_CLOCK_TOLERANCE_SECONDS}`);
    }
    const audiences = [options.audience].flat();
    if (!options.issuer || audiences.length === 0 || audiences.some((a) => !a)) {
      throw new Error('JwtVerifier needs an issuer and an audience');
    }
    this.verifyOptions = Object.freeze({
      algorithms: [...ACCESS_TOKEN_ALGORITHMS] as ['RS256'],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: tolerance,
      ignoreExpiration: false,
    });
    this.keys = keys ?? new JwksKeySource({ ...options.jwks, jwksUrl: options.jwksUrl });
    this.verifiedCacheMs = (options.verifiedCacheSeconds ?? 30) * 1000;
  }

  /**
   * Checks the header and returns the public key of its `kid` (rejects with a TokenRejection),
   * parsed once per PEM (profiled: parsing it was most of a verification's cost). The PEM still
   * comes from the key source on every call, so a key leaving the JWKS stops being trusted then.
   */
  async keyFor(token: string): Promise<KeyObject> {
    const pem = await this.keys.publicKey(kidOfAccessToken(headerOf(token)));
    let key = this.parsed.get(pem);
    if (!key) {
      if (this.parsed.size >= 32) this.parsed.clear(); // keys rotate rarely: a small bound
      key = createPublicKey(pem);
      this.parsed.set(pem, key);
    }
    return key;
  }

  /** The claim rules, on a payload whose signature, `exp`, `nbf`, `iss` and `aud` are checked. */
  principalOf(payload: unknown): Principal {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new TokenRejection('bad_claims', 'payload is not an object');
    }
    const claims = payload as Record<string, unknown>;
    if (typeof claims.exp !== 'number') throw new TokenRejection('bad_claims', 'claim exp missing');
    return principalFromClaims(claims);
  }

  /**
   * The principal of a valid access token. Otherwise throws UNAUTHENTICATED ("expired" or
   * "invalid"; the TokenRejection with the reason is its `cause`), or KEYS_UNAVAILABLE.
   */
  async verify(token: string): Promise<Principal> {
    const remembered = this.remembered(token);
    if (remembered) return remembered;
    try {
      const key = await this.keyFor(token);
      const payload = await new Promise<unknown>((resolve, reject) =>
        verifyJwt(token, key, { ...this.verifyOptions }, (error, verified) =>
          error ? reject(error) : resolve(verified),
        ),
      );
      const principal = this.principalOf(payload);
      this.remember(token, principal, (payload as { exp: number }).exp);
      return principal;
    } catch (error) {
      throw authenticationError(error);
    }
  }

  /** The principal of a token this verifier accepted within `verifiedCacheSeconds`, if any. */
  remembered(token: string): Principal | undefined {
    const remembered = this.verified.get(token);
    return remembered && remembered.until > Date.now() ? { ...remembered.principal } : undefined;
  }

  /**
   * Remembers a token verified elsewhere with this verifier's steps (the passport strategy):
   * `exp` is the verified payload's.
   */
  remember(token: string, principal: Principal, exp: number): void {
    const until = Math.min(Date.now() + this.verifiedCacheMs, exp * 1000);
    if (until <= Date.now()) return;
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) this.verified.clear();
    this.verified.set(token, { principal: { ...principal }, until });
  }
}
