import type { MessageRef } from '../common/device-events.writer';
import type { QueueState } from '../domain/message-states';

/** A row of device_messages: one dispatch attempt of a message, pooled or with a device. */
export interface QueueRow {
  id: string;
  orgId: string;
  messageId: string;
  attempt: number;
  deviceId: string | null;
  state: QueueState;
  toE164: string;
  body: string;
  segments: number;
  requestedSim: number | null;
  simNumber: number | null;
  preferredDeviceId: string | null;
  excludedDeviceIds: string[];
  validUntil: Date | null;
  priority: number;
  createdAt: Date;
  handedOutAt: Date | null;
  cancelRequested: boolean;
}

/** A message handed to a device, as pacing counts it. */
export interface HandoutRecord {
  at: Date;
  segments: number;
  simNumber: number | null;
}

/** What a message-state event names about a row. */
export function refOf(row: QueueRow): MessageRef {
  return {
    messageId: row.messageId,
    orgId: row.orgId,
    deviceId: row.deviceId,
    attempt: row.attempt,
    simNumber: row.simNumber,
  };
}
