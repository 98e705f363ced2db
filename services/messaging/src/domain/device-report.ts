/**
 * What a device's report about an outbound message does to it. Pure: the consumer loads the
 * message, asks `decideOnDeviceReport`, and persists the decision with its events.
 */
import {
  effectOf,
  UNSENT_STATUSES,
  type MessageStatus,
  type StatusTimestamps,
} from './message-status';
import {
  messagingError,
  normalizeDeviceError,
  retryOnAnotherDevice,
  type MessageError,
} from './message-error';

export type DeviceState =
  | 'DISPATCHED'
  | 'PROCESSED'
  | 'SENT'
  | 'DELIVERED'
  | 'FAILED'
  | 'CANCELED'
  | 'EXPIRED'
  | 'RELEASED'
  | 'UNSPECIFIED';

/** The parts of a message the decision needs. */
export interface TrackedMessage {
  status: MessageStatus;
  /** The current dispatch attempt (1 for the first dispatch); 0 when never dispatched. */
  attempt: number;
  /** The device holding or having sent it (from its reports). */
  deviceId: string | null;
  excludedDeviceIds: readonly string[];
  validUntil: Date | null;
  timestamps: StatusTimestamps;
}

export interface DeviceReport {
  state: DeviceState;
  /** DispatchMessage.attempt the report belongs to; 0 when the device did not say. */
  attempt: number;
  deviceId: string;
  errorCode: string;
  errorMessage: string;
  /** Why the devices service itself decided the state (RELEASED, EXPIRED, FAILED without device). */
  reason: string;
  occurredAt: Date | null;
  simNumber: number;
}

export interface DispatchPolicy {
  /** Dispatch attempts in all (the first one included). */
  maxAttempts: number;
  now: Date;
}

export type ReportDecision =
  | { action: 'ignore'; reason: string }
  | {
      /** Set `status` (unchanged for late reports), stamp `reported`'s time, emit its event. */
      action: 'record';
      status: MessageStatus;
      reported: MessageStatus;
      statusChanged: boolean;
      /** A re-dispatched message was taken by another device (a new DISPATCHED event). */
      reassigned: boolean;
      at: Date;
      deviceId: string | null;
      simNumber: number | null;
      error: MessageError | null;
    }
  | {
      /** Send the message again to another device: a new dispatch command, no status change. */
      action: 'redispatch';
      attempt: number;
      excludedDeviceIds: string[];
      lastError: MessageError;
    };

const STATUS_OF: Partial<Record<DeviceState, MessageStatus>> = {
  DISPATCHED: 'DISPATCHED',
  PROCESSED: 'DISPATCHED',
  SENT: 'SENT',
  DELIVERED: 'DELIVERED',
  FAILED: 'FAILED',
  CANCELED: 'CANCELED',
  EXPIRED: 'EXPIRED',
};

function timeOf(report: DeviceReport, now: Date): Date {
  const at = report.occurredAt;
  // Device clocks drift: never record a time in the future.
  return at && !Number.isNaN(at.getTime()) && at <= now ? at : now;
}

function stillValid(message: TrackedMessage, now: Date): boolean {
  return !message.validUntil || message.validUntil > now;
}

/**
 * RELEASED (the device went away before sending) and FAILED before SENT with an error another
 * device might not have: dispatch again, excluding the device, while attempts and validity
 * remain; otherwise the message ends FAILED with that error.
 */
function retryOrFail(
  message: TrackedMessage,
  report: DeviceReport,
  error: MessageError,
  policy: DispatchPolicy,
  at: Date,
): ReportDecision {
  const canRetry =
    // Without a device, the pool itself refused the message: another device would too.
    report.deviceId !== '' &&
    retryOnAnotherDevice(error.code) &&
    message.attempt < policy.maxAttempts &&
    stillValid(message, policy.now);
  if (canRetry) {
    const excluded = report.deviceId
      ? [...new Set([...message.excludedDeviceIds, report.deviceId])]
      : [...message.excludedDeviceIds];
    return {
      action: 'redispatch',
      attempt: message.attempt + 1,
      excludedDeviceIds: excluded,
      lastError: error,
    };
  }
  return {
    action: 'record',
    status: 'FAILED',
    reported: 'FAILED',
    statusChanged: true,
    reassigned: false,
    at,
    deviceId: report.deviceId || message.deviceId,
    simNumber: report.simNumber || null,
    error,
  };
}

export function decideOnDeviceReport(
  message: TrackedMessage,
  report: DeviceReport,
  policy: DispatchPolicy,
): ReportDecision {
  if (report.state === 'UNSPECIFIED') return { action: 'ignore', reason: 'unspecified state' };
  if (message.attempt === 0) return { action: 'ignore', reason: 'never dispatched' };
  if (report.attempt > message.attempt) return { action: 'ignore', reason: 'unknown attempt' };
  if (report.attempt > 0 && report.attempt < message.attempt) {
    return { action: 'ignore', reason: 'stale attempt' };
  }
  const at = timeOf(report, policy.now);
  const unsent = UNSENT_STATUSES.has(message.status);

  if (report.state === 'RELEASED') {
    if (!unsent) return { action: 'ignore', reason: `released while ${message.status}` };
    const error = normalizeDeviceError(
      report.errorCode || 'DEVICE_OFFLINE',
      report.errorMessage || report.reason,
    );
    return retryOrFail(message, report, error, policy, at);
  }

  if (report.state === 'FAILED' && unsent) {
    const error = normalizeDeviceError(report.errorCode, report.errorMessage || report.reason);
    return retryOrFail(message, report, error, policy, at);
  }

  const reported = STATUS_OF[report.state]!;
  // A re-dispatched message taken by a new device: same status, new holder.
  if (
    reported === 'DISPATCHED' &&
    message.status === 'DISPATCHED' &&
    report.deviceId &&
    report.deviceId !== message.deviceId
  ) {
    return {
      action: 'record',
      status: 'DISPATCHED',
      reported,
      statusChanged: false,
      reassigned: true,
      at,
      deviceId: report.deviceId,
      simNumber: report.simNumber || null,
      error: null,
    };
  }
  const effect = effectOf(message.status, reported, message.timestamps);
  switch (effect.effect) {
    case 'duplicate':
      return { action: 'ignore', reason: 'duplicate' };
    case 'ignored':
      return { action: 'ignore', reason: `${reported} after ${message.status}` };
    case 'late':
    case 'transition': {
      const error =
        reported === 'FAILED'
          ? normalizeDeviceError(report.errorCode, report.errorMessage || report.reason)
          : reported === 'EXPIRED'
            ? messagingError('EXPIRED')
            : null;
      return {
        action: 'record',
        status: effect.effect === 'transition' ? effect.to : message.status,
        reported,
        statusChanged: effect.effect === 'transition',
        reassigned: false,
        at,
        deviceId: report.deviceId || message.deviceId,
        simNumber: report.simNumber || null,
        error: effect.effect === 'transition' ? error : null,
      };
    }
  }
}
