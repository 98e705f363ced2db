/** A device's status as the organization sees it (GraphQL, DeviceStatusChanged events). */
export type DeviceStatus = 'ONLINE' | 'OFFLINE' | 'DISABLED' | 'QUARANTINED' | 'PENDING_APPROVAL';
export const DEVICE_STATUSES: readonly DeviceStatus[] = [
  'ONLINE',
  'OFFLINE',
  'DISABLED',
  'QUARANTINED',
  'PENDING_APPROVAL',
];

export interface StatusFacts {
  /** false: registered with a shared enrollment token and waiting for approval. */
  approved?: boolean;
  enabled: boolean;
  quarantined: boolean;
  connected: boolean;
}

/**
 * One status from three facts, the organization's decision first: a disabled device is
 * DISABLED whatever else holds, a quarantined one QUARANTINED, otherwise its connection decides.
 */
export function deviceStatus(facts: StatusFacts): DeviceStatus {
  if (facts.approved === false) return 'PENDING_APPROVAL';
  if (!facts.enabled) return 'DISABLED';
  if (facts.quarantined) return 'QUARANTINED';
  return facts.connected ? 'ONLINE' : 'OFFLINE';
}

/** The status of a device row (its enabled, quarantined and connected facts). */
export function statusOf(device: {
  approved?: boolean;
  enabled: boolean;
  quarantinedAt: Date | null;
  connected: boolean;
}): DeviceStatus {
  return deviceStatus({
    approved: device.approved,
    enabled: device.enabled,
    quarantined: device.quarantinedAt !== null,
    connected: device.connected,
  });
}
