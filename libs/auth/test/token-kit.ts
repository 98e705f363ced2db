import { SignJWT } from 'jose';
import {
  accessToken as signAccessToken,
  signingKey,
  JwksServer,
  type TestSigningKey,
} from '@switchboard/testing';

export { signingKey, JwksServer, type TestSigningKey };

/** An access token as the accounts service signs it; `header` overrides `typ`/`kid`. */
export function accessToken(
  key: TestSigningKey,
  payload: Record<string, unknown> = claims(),
  header: { typ?: string; kid?: string } = {},
): Promise<string> {
  return signAccessToken(key, payload, header);
}

export const ISSUER = 'https://accounts.switchboard.test';
export const AUDIENCE = 'switchboard-api';
export const ORG = '7d6f3c2a-1b4e-4f5a-9c8d-0e1f2a3b4c5d';

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
