/** Whether a token expiring at `expiresAt` must be refreshed now (within the margin, or gone). */
export function needsRefresh(expiresAt: Date | null, now: Date, marginSeconds: number): boolean {
  return !expiresAt || expiresAt.getTime() - now.getTime() <= marginSeconds * 1000;
}

/** When a token GHL issued now with `expires_in` seconds expires. */
export function expiryOf(now: Date, expiresInSeconds: number): Date {
  return new Date(now.getTime() + Math.max(0, expiresInSeconds) * 1000);
}
