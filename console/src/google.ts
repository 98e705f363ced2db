// Google sign-in's browser side: accounts' googleSignInUrl gives { url, state }; the console keeps
// the state (and, signing up, the new organization's name) in sessionStorage across the trip to
// Google — it is no credential: it only proves the callback answers the sign-in this tab began —
// and takes it back, once, on the callback page (accounts' GOOGLE_REDIRECT_URI).

export const GOOGLE_CALLBACK_PATH = '/auth/google/callback';
const KEY = 'switchboard.google-sign-in';

export interface PendingGoogleSignIn {
  state: string;
  /** Signing up: the organization to create. */
  organizationName?: string;
}

export function rememberGoogleSignIn(pending: PendingGoogleSignIn, storage: Storage): void {
  storage.setItem(KEY, JSON.stringify(pending));
}

/** The pending sign-in of this tab, removed as it is read (a callback is used once). */
export function takeGoogleSignIn(storage: Storage): PendingGoogleSignIn | null {
  const text = storage.getItem(KEY);
  storage.removeItem(KEY);
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as PendingGoogleSignIn;
    return typeof parsed.state === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

export type GoogleCallback =
  | { ok: true; code: string; state: string; organizationName?: string }
  | { ok: false; problem: string };

/** What the callback URL says, checked against the sign-in this tab began. */
export function readGoogleCallback(
  params: URLSearchParams,
  pending: PendingGoogleSignIn | null,
): GoogleCallback {
  const error = params.get('error');
  if (error)
    return {
      ok: false,
      problem:
        error === 'access_denied'
          ? 'Google sign-in was canceled.'
          : `Google refused the sign-in (${error}).`,
    };
  const code = params.get('code');
  const state = params.get('state');
  if (!code || !state) return { ok: false, problem: 'The answer from Google is incomplete.' };
  if (!pending || pending.state !== state)
    return {
      ok: false,
      problem: 'This answer from Google is not for a sign-in started here. Start again.',
    };
  return {
    ok: true,
    code,
    state,
    ...(pending.organizationName ? { organizationName: pending.organizationName } : {}),
  };
}
