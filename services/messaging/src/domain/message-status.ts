/**
 * The message status machine: which status may follow which. Pure.
 *
 * Outbound: QUEUED → SCHEDULED? → DISPATCHED → SENT → DELIVERED, or a final FAILED / REJECTED /
 * EXPIRED / CANCELED. Inbound messages are born RECEIVED and never change.
 *
 * The transitions form a DAG (see NEXT_STATUSES), so status only moves forward. One edge needs
 * a word: CANCELED and EXPIRED are decided by messaging while the phone may already hold the
 * message; when the phone then proves it sent it (SENT/DELIVERED of the current attempt), the
 * truth wins: the SMS reached the network and is billed. Nothing else follows a cancel or an
 * expiry, and nothing at all follows DELIVERED, FAILED, REJECTED or RECEIVED.
 */
export const MESSAGE_STATUSES = [
  'QUEUED',
  'SCHEDULED',
  'DISPATCHED',
  'SENT',
  'DELIVERED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'CANCELED',
  'RECEIVED',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export type MessageDirection = 'OUTBOUND' | 'INBOUND';

export const NEXT_STATUSES: Readonly<Record<MessageStatus, readonly MessageStatus[]>> = {
  QUEUED: [
    'SCHEDULED',
    'DISPATCHED',
    'SENT',
    'DELIVERED',
    'FAILED',
    'REJECTED',
    'EXPIRED',
    'CANCELED',
  ],
  SCHEDULED: ['DISPATCHED', 'SENT', 'DELIVERED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELED'],
  DISPATCHED: ['SENT', 'DELIVERED', 'FAILED', 'EXPIRED', 'CANCELED'],
  SENT: ['DELIVERED', 'FAILED'],
  CANCELED: ['SENT', 'DELIVERED'],
  EXPIRED: ['SENT', 'DELIVERED'],
  DELIVERED: [],
  FAILED: [],
  REJECTED: [],
  RECEIVED: [],
};

/** Statuses after which nothing more is expected (a cancel/expiry can still be overtaken, see above). */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set([
  'DELIVERED',
  'FAILED',
  'REJECTED',
  'EXPIRED',
  'CANCELED',
  'RECEIVED',
]);

/** Not handed to the network yet: may still be canceled, expired or re-dispatched. */
export const UNSENT_STATUSES: ReadonlySet<MessageStatus> = new Set([
  'QUEUED',
  'SCHEDULED',
  'DISPATCHED',
]);

export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  return NEXT_STATUSES[from].includes(to);
}

export function isFinal(status: MessageStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** The timestamp column (camelCase) recording when a message reached each status. */
export const STATUS_TIMESTAMP = {
  QUEUED: 'queuedAt',
  SCHEDULED: 'scheduledStatusAt',
  DISPATCHED: 'dispatchedAt',
  SENT: 'sentAt',
  DELIVERED: 'deliveredAt',
  FAILED: 'failedAt',
  REJECTED: 'rejectedAt',
  EXPIRED: 'expiredAt',
  CANCELED: 'canceledAt',
  RECEIVED: 'receivedAt',
} as const satisfies Record<MessageStatus, string>;

export type StatusTimestamps = Partial<
  Record<(typeof STATUS_TIMESTAMP)[MessageStatus], Date | null>
>;

/**
 * What a reported status does to a message:
 * - `transition`: the status moves to `to` (its timestamp is set);
 * - `late`: the status lies on the way to the current one but was never recorded (SENT arriving
 *   after DELIVERED): its timestamp is filled in and its event emitted, the status stays;
 * - `duplicate`: already known; nothing happens;
 * - `ignored`: contradicts a final state (FAILED after DELIVERED, DISPATCHED after CANCELED).
 */
export type StatusEffect =
  | { effect: 'transition'; to: MessageStatus }
  | { effect: 'late'; reported: MessageStatus }
  | { effect: 'duplicate' }
  | { effect: 'ignored' };

/** Milestones that lie on the way to each status (for late reports). */
const MILESTONES_BEFORE: Partial<Record<MessageStatus, readonly MessageStatus[]>> = {
  SENT: ['DISPATCHED'],
  DELIVERED: ['DISPATCHED', 'SENT'],
  FAILED: ['DISPATCHED', 'SENT'],
};

export function effectOf(
  current: MessageStatus,
  reported: MessageStatus,
  timestamps: StatusTimestamps,
): StatusEffect {
  if (current === reported) return { effect: 'duplicate' };
  if (canTransition(current, reported)) return { effect: 'transition', to: reported };
  if (MILESTONES_BEFORE[current]?.includes(reported)) {
    return timestamps[STATUS_TIMESTAMP[reported]]
      ? { effect: 'duplicate' }
      : { effect: 'late', reported };
  }
  return { effect: 'ignored' };
}
