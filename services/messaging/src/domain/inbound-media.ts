/**
 * Rules of fetching an inbound MMS medium (pure): which content types are kept, what a failed
 * fetch means (retry later or give up), where redirects may go, and when a carrier's
 * credentials go along.
 */

/** Why a medium is not stored. */
export type MediaFetchError =
  | 'FORBIDDEN_ADDRESS'
  | 'TOO_LARGE'
  | 'UNSUPPORTED_TYPE'
  | 'UNREACHABLE'
  | 'HTTP_ERROR'
  | 'TOO_MANY_REDIRECTS';

/**
 * Parses a comma-separated allow-list of content types (`image/*`, `video/mp4`…) into a
 * predicate. Parameters (`; charset=…`) are ignored; the comparison is case-insensitive.
 */
export function contentTypeAllowed(allowList: string, contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type)) return false;
  return allowList
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean)
    .some((entry) => (entry.endsWith('/*') ? type.startsWith(entry.slice(0, -1)) : entry === type));
}

export type FetchOutcome =
  | { kind: 'stored' }
  | { kind: 'redirect'; location: string }
  | { kind: 'retry'; error: MediaFetchError; detail: string }
  | { kind: 'failed'; error: MediaFetchError; detail: string };

/**
 * What an answer means: 2xx stored (type checked by the caller), 3xx a redirect to follow,
 * 408/429/5xx and no answer (timeouts, network) retried, anything else given up at once —
 * as are forbidden addresses and oversized media (they will not change).
 */
export function classifyFetch(answer: {
  status: number | null;
  location?: string;
  error: null | {
    kind: 'forbidden-address' | 'too-large' | 'timeout' | 'network';
    message: string;
  };
}): FetchOutcome {
  if (answer.error?.kind === 'forbidden-address')
    return { kind: 'failed', error: 'FORBIDDEN_ADDRESS', detail: answer.error.message };
  if (answer.error?.kind === 'too-large')
    return { kind: 'failed', error: 'TOO_LARGE', detail: answer.error.message };
  if (answer.error || answer.status === null)
    return { kind: 'retry', error: 'UNREACHABLE', detail: answer.error?.message ?? 'no answer' };
  const status = answer.status;
  if (status >= 200 && status < 300) return { kind: 'stored' };
  if ([301, 302, 303, 307, 308].includes(status) && answer.location)
    return { kind: 'redirect', location: answer.location };
  if (status === 408 || status === 429 || status >= 500)
    return { kind: 'retry', error: 'HTTP_ERROR', detail: `HTTP ${status}` };
  return { kind: 'failed', error: 'HTTP_ERROR', detail: `HTTP ${status}` };
}

/**
 * The next URL of a redirect (relative locations resolved), or undefined when it may not be
 * followed (not http(s), credentials in it). The guard checks its address again.
 */
export function redirectTarget(from: string, location: string): string | undefined {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return undefined;
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') return undefined;
  if (next.username || next.password) return undefined;
  // Never downgrade from https.
  if (new URL(from).protocol === 'https:' && next.protocol !== 'https:') return undefined;
  return next.toString();
}

/**
 * Whether a carrier's credentials go with a request: only to the carrier's own API origin
 * (Twilio media URLs are on api.twilio.com and need the account's basic auth) — never to a
 * host a redirect or an inbound payload names.
 */
export function sendsCredentials(url: string, carrierApiBaseUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(carrierApiBaseUrl).origin;
  } catch {
    return false;
  }
}
