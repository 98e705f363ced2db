/**
 * What to do with a presented refresh token, decided from the stored state of the token and of
 * its family (the session), read under a lock on the family so concurrent refreshes of one
 * session are decided one after the other.
 *
 * - `rotate`: the token is current; it is marked rotated and a new one issued in the family.
 * - `reuse`: the token was already rotated. Either an attacker replays a stolen token or the
 *   legitimate client does (then the attacker may hold the newer one); both cannot be told
 *   apart, so the whole family is revoked (RFC 9700 §4.14.2). Two concurrent refreshes with
 *   the same token land here too: the first rotates, the second is a reuse. There is no grace
 *   window; clients must refresh one at a time (single-flight) and keep the newest token.
 * - `revoked`: the family was revoked earlier (log out, reuse, password reset, removal).
 * - `expired`: past its expiry.
 */
export type RefreshDecision = 'rotate' | 'reuse' | 'revoked' | 'expired';

export interface RefreshTokenState {
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface SessionState {
  revokedAt: Date | null;
}

export function decideRefresh(
  token: RefreshTokenState,
  session: SessionState,
  now: Date,
): RefreshDecision {
  if (session.revokedAt || token.revokedAt) {
    // A rotated token of a revoked family is still a replay worth reporting; the family is
    // already revoked, so the effect is the same.
    return token.rotatedAt ? 'reuse' : 'revoked';
  }
  if (token.rotatedAt) return 'reuse';
  if (token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'rotate';
}
