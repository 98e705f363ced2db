import { randomBytes } from 'node:crypto';

/**
 * Every kind of opaque secret the platform hands out, by its prefix. The prefix makes a leaked
 * secret recognisable (secret scanners, support) and tells kinds apart before any lookup; log
 * redaction (`@switchboard/observability`) masks everything after any of these prefixes. A new
 * kind of token is added here, nowhere else.
 */
export const OpaqueTokenPrefix = {
  /** accounts: API tokens of customers' servers. */
  apiToken: 'sbk_',
  /** accounts: refresh tokens of sessions. */
  refresh: 'sbr_',
  /** accounts: invitation links. */
  invitation: 'sbi_',
  /** accounts: email verification links. */
  emailVerification: 'sbv_',
  /** accounts: password reset links. */
  passwordReset: 'sbp_',
  /** accounts: the `state` of a Google sign-in. */
  oidcState: 'sbs_',
  /** devices: a phone's credential. */
  device: 'sbd_',
  /** devices: enrollment tokens phones register with. */
  enrollment: 'sbe_',
} as const;
export type OpaqueTokenPrefix = (typeof OpaqueTokenPrefix)[keyof typeof OpaqueTokenPrefix];

/** The prefixes of every opaque secret, for redaction and scanners. */
export const OPAQUE_TOKEN_PREFIXES: readonly OpaqueTokenPrefix[] = Object.freeze(
  Object.values(OpaqueTokenPrefix),
);

const RANDOM_BYTES = 32;
const BODY = /^[A-Za-z0-9_-]{43}$/;

/** A new secret: its prefix and 256 random bits, base64url (`sbk_` + 43 characters). */
export function generateOpaqueToken(prefix: OpaqueTokenPrefix): string {
  return `${prefix}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

/** Whether `value` has the shape of a secret of this kind (checked before any lookup). */
export function isOpaqueToken(prefix: OpaqueTokenPrefix, value: unknown): value is string {
  return (
    typeof value === 'string' && value.startsWith(prefix) && BODY.test(value.slice(prefix.length))
  );
}
