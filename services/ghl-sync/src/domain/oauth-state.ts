import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an OAuth `state` carries: the organization the install links to and who started it. */
export interface InstallState {
  orgId: string;
  userId: string;
  expiresAt: Date;
}

const mac = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(`ghl-install-state:${payload}`).digest('base64url');

/**
 * Signs an install `state`: `<base64url(orgId.userId.expiresAtSeconds.nonce)>.<HMAC-SHA256>`.
 * GHL hands it back unchanged on the callback, which has no session: the state is what proves
 * that the organization's owner started this install, and which organization it links to.
 */
export function signInstallState(secret: string, state: InstallState, nonce: string): string {
  const exp = Math.floor(state.expiresAt.getTime() / 1000);
  const payload = Buffer.from(`${state.orgId}.${state.userId}.${exp}.${nonce}`, 'utf8').toString(
    'base64url',
  );
  return `${payload}.${mac(secret, payload)}`;
}

/** The state of a valid, unexpired `state` signed with `secret`; undefined otherwise. */
export function verifyInstallState(
  secret: string,
  state: string,
  now: Date,
): InstallState | undefined {
  const [payload, signature, ...rest] = state.split('.');
  if (!payload || !signature || rest.length) return undefined;
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const [orgId, userId, exp] = Buffer.from(payload, 'base64url').toString('utf8').split('.');
  const expiresAt = new Date(Number(exp) * 1000);
  if (!orgId || !userId || !Number.isFinite(expiresAt.getTime())) return undefined;
  if (expiresAt.getTime() <= now.getTime()) return undefined;
  return { orgId, userId, expiresAt };
}
