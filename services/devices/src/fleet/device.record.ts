import type { DeviceFacts } from '../common/device-events.writer';
import type { SimPolicy } from '../domain/selection';

/** A row of devices, as the repository returns it. */
export interface DeviceRow {
  id: string;
  orgId: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  appVersion: string | null;
  pushToken: string | null;
  connected: boolean;
  /** false: waiting for the organization's approval (registered with a shared token). */
  approved: boolean;
  enabled: boolean;
  quarantinedAt: Date | null;
  quarantineReason: string | null;
  sendRatePerMinute: number;
  dailyLimit: number | null;
  simPolicy: SimPolicy;
  lastSeenAt: Date;
  offlineSince: Date | null;
  healthScore: number;
  consecutiveFailures: number;
  outcomes: number;
  sentCount: number;
  deliveredCount: number;
  failedCount: number;
  webhookSigningKey: string;
  createdAt: Date;
  removedAt: Date | null;
}

/** A SIM card of a device (masked number). */
export interface SimRow {
  deviceId: string;
  slot: number;
  slotIndex: number;
  carrierName: string | null;
  maskedNumber: string | null;
}

/** A SIM as stored for one device. */
export type DeviceSim = Omit<SimRow, 'deviceId'>;

/** What DeviceRegistered/DeviceUpdated events carry about a device. */
export function deviceFacts(
  device: Pick<DeviceRow, 'id' | 'orgId' | 'name' | 'manufacturer' | 'model' | 'appVersion'>,
  sims: DeviceSim[],
): DeviceFacts {
  return {
    id: device.id,
    orgId: device.orgId,
    name: device.name,
    manufacturer: device.manufacturer,
    model: device.model,
    appVersion: device.appVersion,
    sims: sims.map((s) => ({
      slot: s.slot,
      carrierName: s.carrierName,
      maskedNumber: s.maskedNumber,
    })),
  };
}

/** Who a device API call comes from, once its token is verified. */
export interface DeviceIdentity {
  deviceId: string;
  orgId: string;
}

/** An organization's settings for its fleet. */
export interface DeviceSettingsRecord {
  /** A phone registered with a multi-use enrollment token waits for approval. */
  requireApprovalForSharedEnrollments: boolean;
}
