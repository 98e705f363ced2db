import { isE164 } from '@switchboard/sms';

/**
 * Which GHL location a number's traffic (an inbound reply, a STOP) belongs to: the location
 * that last wrote to it through the provider when that one is still installed, else the
 * organization's first installed location; none when no location is installed.
 */
export function locationForNumber(
  activeLocations: readonly string[],
  lastWriter: string | undefined,
): string | undefined {
  if (lastWriter && activeLocations.includes(lastWriter)) return lastWriter;
  return activeLocations[0];
}

/** A GHL phone in E.164, or undefined (GHL stores what users typed). */
export function e164OrUndefined(phone: string | undefined): string | undefined {
  const compact = phone?.replace(/[\s().-]/g, '');
  return isE164(compact) ? compact : undefined;
}
