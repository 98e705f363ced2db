import { hkdfSync, randomBytes } from 'node:crypto';
import { KeyEncryption } from '../keys/key-encryption';

/**
 * The OpenID Connect `state` of a Google sign-in: the nonce and the PKCE verifier of the
 * request, sealed with AES-256-GCM under a key derived from SIGNING_KEY_ENCRYPTION_KEY, with
 * an expiry. Nothing is stored server-side; the web app keeps the state it was given and
 * checks that the callback carries the same one (login CSRF) before calling
 * signInWithGoogle, which opens it here (tampering fails the GCM tag).
 */
export interface OidcStatePayload {
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

const CONTEXT = 'oidc-state';

export class OidcStateSealer {
  private readonly box: KeyEncryption;

  constructor(masterKeyBase64: string) {
    const derived = Buffer.from(
      hkdfSync(
        'sha256',
        Buffer.from(masterKeyBase64, 'base64'),
        Buffer.alloc(0),
        'switchboard oidc state',
        32,
      ),
    );
    this.box = new KeyEncryption(derived.toString('base64'));
  }

  create(now: Date, ttlSeconds = 600): { state: string; payload: OidcStatePayload } {
    const payload: OidcStatePayload = {
      nonce: randomBytes(16).toString('base64url'),
      codeVerifier: randomBytes(32).toString('base64url'),
      expiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds,
    };
    const state = this.box.encrypt(JSON.stringify(payload), CONTEXT).toString('base64url');
    return { state, payload };
  }

  /** The payload of a state this service made and that has not expired, else undefined. */
  open(state: string, now: Date): OidcStatePayload | undefined {
    try {
      const payload = JSON.parse(
        this.box.decrypt(Buffer.from(state, 'base64url'), CONTEXT).toString('utf8'),
      ) as OidcStatePayload;
      if (typeof payload.nonce !== 'string' || typeof payload.codeVerifier !== 'string')
        return undefined;
      if (payload.expiresAt * 1000 <= now.getTime()) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }
}
