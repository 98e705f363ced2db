// The console's session: the access token lives in memory only; the refresh token goes
// straight into an HttpOnly, SameSite=Strict cookie set by the gateway (/console/session) and
// is never kept by the page — not in localStorage, not in sessionStorage, not in a variable.
// A reload (or an expiring access token) gets a new access token from the cookie.

export interface AuthTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

interface Held {
  accessToken: string;
  /** Epoch ms after which the token is refreshed first (a margin before it expires). */
  refreshAfter: number;
}

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 30_000;

export function refreshAfter(now: number, expiresInSeconds: number): number {
  return now + Math.max(0, expiresInSeconds * 1000 - REFRESH_MARGIN_MS);
}

let held: Held | null = null;
let refreshing: Promise<string | null> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(next: Held | null): void {
  held = next;
  for (const listener of listeners) listener(next !== null);
}

const JSON_POST = { 'content-type': 'application/json', 'x-switchboard-console': '1' };

/** After signUp/logIn: keeps the access token, hands the refresh token to the cookie. */
export async function startSession(tokens: AuthTokens): Promise<void> {
  const response = await fetch('/console/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: JSON_POST,
    body: JSON.stringify({ refreshToken: tokens.refreshToken }),
  });
  if (!response.ok) throw new Error(`session cookie refused (${response.status})`);
  set({
    accessToken: tokens.accessToken,
    refreshAfter: refreshAfter(Date.now(), tokens.expiresIn),
  });
}

/** A new access token from the cookie (null: no session). One refresh at a time. */
export function refreshSession(): Promise<string | null> {
  refreshing ??= (async () => {
    try {
      const response = await fetch('/console/session/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: JSON_POST,
        body: '{}',
      });
      if (!response.ok) {
        set(null);
        return null;
      }
      const body = (await response.json()) as { accessToken: string; expiresIn: number };
      set({
        accessToken: body.accessToken,
        refreshAfter: refreshAfter(Date.now(), body.expiresIn),
      });
      return body.accessToken;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** The access token for the next request (refreshed first when about to expire). */
export async function accessToken(): Promise<string | null> {
  if (held && Date.now() < held.refreshAfter) return held.accessToken;
  if (!held) return null;
  return refreshSession();
}

export function isSignedIn(): boolean {
  return held !== null;
}

/**
 * Forgets the access token and clears the cookie (the GraphQL logOut, which revokes the refresh
 * token on the server, is the caller's and comes first). False: the cookie may be left behind —
 * harmless once logOut revoked the token it holds.
 */
export async function endSession(): Promise<boolean> {
  set(null);
  const response = await fetch('/console/session', {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { 'x-switchboard-console': '1' },
  }).then(
    (r) => r,
    () => null,
  );
  return response?.ok ?? false;
}
