/**
 * Messaging's lifecycle as GHL's conversation provider status (`UpdateMessageStatusDto`):
 * `pending` while the message is handed off (queued, scheduled, dispatched, sent — GHL has no
 * `sent`), `delivered`, or `failed` with `{code, type, message}` from our error taxonomy. A
 * provider message moves forward only: ACCEPTED → PENDING → DELIVERED | FAILED, and a final
 * status never changes (a late `delivered` after `failed`, a replay, is ignored).
 */

export type ProviderStatus = 'ACCEPTED' | 'PENDING' | 'DELIVERED' | 'FAILED';

/** Messaging's event kinds (messaging.v1.MessageEventKind names). */
export type MessageEventKindName =
  | 'QUEUED'
  | 'SCHEDULED'
  | 'DISPATCHED'
  | 'SENT'
  | 'DELIVERED'
  | 'FAILED'
  | 'REJECTED'
  | 'EXPIRED'
  | 'CANCELED'
  | 'RECEIVED';

export interface GhlStatusUpdate {
  status: 'pending' | 'delivered' | 'failed';
  error?: { code: string; type: string; message: string };
}

const RANK: Record<ProviderStatus, number> = { ACCEPTED: 0, PENDING: 1, DELIVERED: 2, FAILED: 2 };

const FAILURE_TEXT: Partial<Record<MessageEventKindName, string>> = {
  FAILED: 'The message could not be delivered',
  REJECTED: 'Switchboard refused the message',
  EXPIRED: 'The message was not sent in time',
  CANCELED: 'The message was canceled',
};

/**
 * The status to report for an event of a provider message in `current` state, and the state
 * after it; undefined when nothing is to be reported (not forward, or not a status).
 */
export function decideStatusReport(
  current: ProviderStatus,
  kind: MessageEventKindName,
  error?: { code: string; message: string },
): { next: ProviderStatus; update: GhlStatusUpdate } | undefined {
  let next: ProviderStatus;
  let update: GhlStatusUpdate;
  switch (kind) {
    case 'QUEUED':
    case 'SCHEDULED':
    case 'DISPATCHED':
    case 'SENT':
      next = 'PENDING';
      update = { status: 'pending' };
      break;
    case 'DELIVERED':
      next = 'DELIVERED';
      update = { status: 'delivered' };
      break;
    case 'FAILED':
    case 'REJECTED':
    case 'EXPIRED':
    case 'CANCELED':
      next = 'FAILED';
      update = {
        status: 'failed',
        error: {
          code: error?.code || kind,
          type: 'saas',
          message: (error?.message || FAILURE_TEXT[kind] || kind).slice(0, 500),
        },
      };
      break;
    default:
      return undefined;
  }
  return RANK[next] > RANK[current] ? { next, update } : undefined;
}
