import { isSupportedCountry } from 'libphonenumber-js';

export const ORGANIZATION_STATUSES = ['ACTIVE', 'PENDING_DELETION', 'DELETED'] as const;
export type OrganizationStatus = (typeof ORGANIZATION_STATUSES)[number];

const TIME_ZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** IANA time zone names as the runtime knows them (e.g. "America/New_York", "UTC"). */
export function isValidTimezone(timezone: string): boolean {
  return TIME_ZONES.has(timezone);
}

/**
 * ISO 3166-1 alpha-2, upper case, and a country with a phone numbering plan (messaging reads
 * national-format numbers in this country).
 */
export function isValidCountry(country: string): boolean {
  return /^[A-Z]{2}$/.test(country) && isSupportedCountry(country);
}

export const ORGANIZATION_NAME_MAX = 100;

/** Closing: only an active organization; purge `delayDays` later. */
export function closure(
  status: OrganizationStatus,
  now: Date,
  delayDays: number,
): { ok: true; purgeAt: Date } | { ok: false } {
  if (status !== 'ACTIVE') return { ok: false };
  return { ok: true, purgeAt: new Date(now.getTime() + delayDays * 86_400_000) };
}

/** Cancelling a closure: only while the purge is pending and not yet due. */
export function canCancelClosure(
  status: OrganizationStatus,
  purgeAt: Date | null,
  now: Date,
): boolean {
  return status === 'PENDING_DELETION' && purgeAt !== null && purgeAt.getTime() > now.getTime();
}

/** Whether the purge job finalizes the organization now. */
export function isPurgeDue(status: OrganizationStatus, purgeAt: Date | null, now: Date): boolean {
  return status === 'PENDING_DELETION' && purgeAt !== null && purgeAt.getTime() <= now.getTime();
}
