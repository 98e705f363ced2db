/** A device's status as the organization sees it (GraphQL, DeviceStatusChanged events). */
export type DeviceStatus = 'ONLINE' | 'OFFLINE' | 'DISABLED' | 'QUARANTINED';
export const DEVICE_STATUSES: readonly DeviceStatus[] = [
  'ONLINE',
  'OFFLINE',
  'DISABLED',
  'QUARANTINED',
];

export interface StatusFacts {
  enabled: boolean;
  quarantined: boolean;
  connected: boolean;
}

/**
 * One status from three facts, the organization's decision first: a disabled device is
 * DISABLED whatever else holds, a quarantined one QUARANTINED, otherwise its connection decides.
 */
export function deviceStatus(facts: StatusFacts): DeviceStatus {
  if (!facts.enabled) return 'DISABLED';
  if (facts.quarantined) return 'QUARANTINED';
  return facts.connected ? 'ONLINE' : 'OFFLINE';
}
