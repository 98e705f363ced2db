import { appPriority } from '../domain/handout-priority';
import type { AppState } from '../domain/message-states';
import type { QueueRow } from '../queue/queue-row.record';

/** A message as `GET /message` hands it to the app (client-go MobileMessage). */
export interface MobileMessage {
  id: string;
  message: string;
  textMessage: { text: string };
  dataMessage: null;
  phoneNumbers: string[];
  simNumber: number | null;
  withDeliveryReport: boolean;
  isEncrypted: boolean;
  ttl: number | null;
  validUntil: string | null;
  scheduleAt: string | null;
  priority: number;
  state: 'Pending' | 'Cancelling';
  createdAt: string;
}

/** One item of `PATCH /message` (client-go MobilePatchMessageItem), already validated. */
export interface StateReportItem {
  id: string;
  state: AppState;
  recipients: { phoneNumber: string; state: AppState; error?: string | null }[];
  states: Record<string, string | number>;
}

export function toMobileMessage(row: QueueRow): MobileMessage {
  return {
    id: row.messageId,
    message: row.body,
    textMessage: { text: row.body },
    dataMessage: null,
    phoneNumbers: [row.toE164],
    simNumber: row.simNumber,
    withDeliveryReport: true,
    isEncrypted: false,
    ttl: null,
    validUntil: row.validUntil ? row.validUntil.toISOString() : null,
    scheduleAt: null,
    // Below 100: the app's own limits and delays stay in force (>= 100 bypasses them). The
    // queue's own order (message priority first) is ours; the app sees retries first.
    priority: appPriority(row.attempt),
    state: row.cancelRequested ? 'Cancelling' : 'Pending',
    createdAt: row.createdAt.toISOString(),
  };
}
