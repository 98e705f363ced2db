/**
 * Personal data and secrets never reach a log line in clear. Two layers:
 *  - by key: a property whose name says it holds a secret or personal data (at any depth) is
 *    replaced whole, whatever its value;
 *  - by value: every string is scrubbed of phone numbers, emails, JWTs, our tokens, bearer
 *    credentials and URL passwords, leaving a hint (the last two digits, the email's domain,
 *    the token's prefix) so a line stays useful for debugging.
 * Pure functions; `redact` copies only what it changes.
 */

import { OPAQUE_TOKEN_PREFIXES } from '@switchboard/auth';

export const REDACTED = '[redacted]';

/** Objects nested deeper than this are replaced by a marker (their strings can't be checked). */
export const MAX_DEPTH = 6;
/** Longer arrays are cut: logging thousands of items is a bug, scrubbing them a cost. */
export const MAX_ARRAY_ITEMS = 100;
/** Longer strings are cut before scrubbing, so one huge value can't stall a hot path. */
export const MAX_STRING_LENGTH = 32 * 1024;

// Key names are compared lower-cased without `_` and `-`: `phone_number`, `x-api-key`, `apiKey`.
const SENSITIVE_EXACT = new Set([
  'body',
  'text',
  'messagebody',
  'messagetext',
  'to',
  'from',
  'recipient',
  'recipients',
  'sender',
  'email',
  'phone',
  'phonenumber',
  'token',
  'accesstoken',
  'refreshtoken',
  'apitoken',
  'idtoken',
  'secret',
  'password',
  'newpassword',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'signingkey',
  'privatekey',
  'apikey',
]);
// `deviceToken`, `contactEmail`, `rawBody`, `webhookSigningKey`, ...
const SENSITIVE_SUFFIXES = [
  'token',
  'email',
  'phone',
  'phonenumber',
  'body',
  'apikey',
  'signingkey',
  'privatekey',
  'cookie',
  'authorization',
];
// `passwordHash`, `clientSecretValue`, ...
const SENSITIVE_PARTS = ['password', 'passwd', 'secret'];

const keyVerdicts = new Map<string, boolean>();

/** Whether a property of this name is redacted whole. */
export function isSensitiveKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    const k = key.toLowerCase().replace(/[-_]/g, '');
    verdict =
      SENSITIVE_EXACT.has(k) ||
      SENSITIVE_SUFFIXES.some((s) => k.endsWith(s)) ||
      SENSITIVE_PARTS.some((p) => k.includes(p));
    if (keyVerdicts.size > 5_000) keyVerdicts.clear();
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}

// Every opaque secret the platform issues (one registry in @switchboard/auth): `sbk_|sbr_|...`.
const TOKEN_PREFIXES = OPAQUE_TOKEN_PREFIXES.map((p) => p.replace(/[^A-Za-z0-9_]/g, '\\$&')).join(
  '|',
);

// One pass over each string. Alternatives are tried left to right at each position, so the
// more specific ones come first (an email whose local part is a phone number is an email).
// Every quantifier is bounded or anchored on a literal prefix: no quadratic blow-up.
const SCRUB = new RegExp(
  [
    String.raw`(?<bearer>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}`,
    String.raw`(?<jwt>\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)`,
    String.raw`(?<![A-Za-z0-9])(?<token>${TOKEN_PREFIXES})[A-Za-z0-9_-]+`,
    String.raw`(?<userinfo>\/\/[^\s/:@]{1,256}:)[^\s/@]{1,256}@`,
    String.raw`(?<![A-Za-z0-9._%+-])(?<email>[A-Za-z0-9._%+-]{1,256}@(?<domain>(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}))`,
    String.raw`(?<phone>\+\(?\d(?:[ .()-]{0,2}\d){6,14})(?!\d)`,
  ].join('|'),
  'g',
);

interface ScrubGroups {
  bearer?: string;
  jwt?: string;
  token?: string;
  userinfo?: string;
  email?: string;
  domain?: string;
  phone?: string;
}

function mask(match: string, ...rest: unknown[]): string {
  const g = rest[rest.length - 1] as ScrubGroups;
  if (g.phone !== undefined) return `+******${match.replace(/\D/g, '').slice(-2)}`;
  if (g.email !== undefined) return `***@${g.domain}`;
  if (g.token !== undefined) return `${g.token}${REDACTED}`;
  if (g.jwt !== undefined) return '[redacted jwt]';
  if (g.bearer !== undefined) return `${g.bearer}${REDACTED}`;
  if (g.userinfo !== undefined) return `${g.userinfo}${REDACTED}@`;
  return REDACTED;
}

/** Scrubs phone numbers, emails, JWTs, our tokens, bearer credentials and URL passwords. */
export function redactString(value: string): string {
  if (value.length < 6) return value; // shorter than the shortest email, `a@b.io`
  const text =
    value.length > MAX_STRING_LENGTH
      ? `${value.slice(0, MAX_STRING_LENGTH)}…[${value.length - MAX_STRING_LENGTH} chars cut]`
      : value;
  return text.replace(SCRUB, mask);
}

/**
 * A copy of `value` that is safe to log: sensitive keys replaced, every string scrubbed,
 * Errors turned into `{ type, message, stack, ...own fields }`, binary data summarised.
 * Unchanged subtrees are returned as they are (no needless cloning).
 */
export function redact(value: unknown, maxDepth = MAX_DEPTH): unknown {
  return walk(value, 0, maxDepth, new Set());
}

function walk(value: unknown, depth: number, maxDepth: number, path: Set<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if (depth >= maxDepth) return '[too deep]';
  if (path.has(value)) return '[circular]';
  if (ArrayBuffer.isView(value)) return `[binary ${value.byteLength} bytes]`;
  path.add(value);
  try {
    if (value instanceof Error) return walkError(value, depth, maxDepth, path);
    if (Array.isArray(value)) return walkArray(value, depth, maxDepth, path);
    if (value instanceof Map || value instanceof Set) return value; // serialised as {}
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value);
      if (json !== value) return walk(json, depth, maxDepth, path);
    }
    return walkObject(value as Record<string, unknown>, depth, maxDepth, path);
  } finally {
    path.delete(value);
  }
}

function walkObject(
  object: Record<string, unknown>,
  depth: number,
  maxDepth: number,
  path: Set<object>,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const original = object[key];
    const redacted =
      original != null && isSensitiveKey(key)
        ? REDACTED
        : walk(original, depth + 1, maxDepth, path);
    if (redacted !== original && copy === undefined) copy = { ...object };
    if (copy !== undefined) copy[key] = redacted;
  }
  return copy ?? object;
}

function walkArray(
  array: unknown[],
  depth: number,
  maxDepth: number,
  path: Set<object>,
): unknown[] {
  const length = Math.min(array.length, MAX_ARRAY_ITEMS);
  let copy: unknown[] | undefined = array.length > length ? array.slice(0, length) : undefined;
  for (let i = 0; i < length; i++) {
    const redacted = walk(array[i], depth + 1, maxDepth, path);
    if (redacted !== array[i] && copy === undefined) copy = array.slice(0, length);
    if (copy !== undefined) copy[i] = redacted;
  }
  if (array.length > length) copy!.push(`[${array.length - length} more items]`);
  return copy ?? array;
}

function walkError(
  error: Error,
  depth: number,
  maxDepth: number,
  path: Set<object>,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    type: error.name || error.constructor?.name || 'Error',
    message: redactString(String(error.message)),
  };
  if (error.stack) fields.stack = redactString(error.stack);
  const own = walkObject({ ...error } as Record<string, unknown>, depth, maxDepth, path);
  for (const [key, value] of Object.entries(own)) {
    if (!(key in fields)) fields[key] = value;
  }
  if (error.cause !== undefined) fields.cause = walk(error.cause, depth + 1, maxDepth, path);
  if (error instanceof AggregateError) {
    fields.errors = walk(error.errors, depth + 1, maxDepth, path);
  }
  return fields;
}
