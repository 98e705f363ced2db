/**
 * The life of a message in a device queue, and how the SMSGate app's state reports map onto it.
 *
 *   POOLED ──assign──▶ QUEUED ──GET /message──▶ HANDED_OUT ──▶ PROCESSED ──▶ SENT ──▶ DELIVERED
 *      │                 │                          │               │            └──▶ FAILED
 *      ├─▶ EXPIRED       ├─▶ RELEASED / EXPIRED     ├─▶ RELEASED    ├─▶ FAILED
 *      └─▶ CANCELED      └─▶ CANCELED               └─▶ CANCELED ◀──┘ (the phone confirms a cancel)
 *
 * A cancel of a message the phone holds (HANDED_OUT, PROCESSED) is a request (the row's
 * `cancel_requested`), not a state: the phone's answer decides — Cancelled, or Sent if it was
 * too late. States only move forward; reports of a state already reached (the app retries up
 * to 10 times) or of an unknown message change nothing.
 */

export const QUEUE_STATES = [
  'POOLED',
  'QUEUED',
  'HANDED_OUT',
  'PROCESSED',
  'SENT',
  'DELIVERED',
  'FAILED',
  'CANCELED',
  'EXPIRED',
  'RELEASED',
] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

/** States reported to messaging as MessageStateEvent states. */
export type ReportedState =
  | 'DISPATCHED'
  | 'PROCESSED'
  | 'SENT'
  | 'DELIVERED'
  | 'FAILED'
  | 'CANCELED'
  | 'EXPIRED'
  | 'RELEASED';

/** The app's ProcessingState values (domain/ProcessingState.kt). */
export const APP_STATES = [
  'Pending',
  'Cancelling',
  'Cancelled',
  'Processed',
  'Sent',
  'Delivered',
  'Failed',
] as const;
export type AppState = (typeof APP_STATES)[number];

/** How far along the happy path a state is (cancel/terminal states sit outside it). */
const PROGRESS: Partial<Record<QueueState, number>> = {
  POOLED: 0,
  QUEUED: 0,
  HANDED_OUT: 1,
  PROCESSED: 2,
  SENT: 3,
  DELIVERED: 4,
};

export interface StateReport {
  state: AppState;
  /** The app's state history: state name → when it was reached (epoch ms). */
  states: Partial<Record<AppState, number>>;
  /** The first recipient's error text, for Failed. */
  error: string | null;
}

export interface Transition {
  state: 'PROCESSED' | 'SENT' | 'DELIVERED' | 'FAILED' | 'CANCELED';
  at: number;
}

/**
 * The states a report moves a row through, in order, each with the time the app gives for it
 * (`now` when it gives none). `Pending` means the app has the message: PROCESSED, as the
 * reference server reads it. Intermediate steps the app recorded are reported too, so a
 * `Delivered` arriving before the `Sent` report still yields SENT then DELIVERED.
 */
export function transitionsFor(
  current: QueueState,
  report: StateReport,
  now: number,
): Transition[] {
  const progress = PROGRESS[current];
  if (progress === undefined || progress === 0) return []; // terminal, or never handed out
  const at = (state: AppState) => report.states[state] ?? now;
  const target = report.state === 'Pending' ? 'Processed' : report.state;
  switch (target) {
    case 'Cancelling':
      return [];
    case 'Cancelled':
      return progress < PROGRESS.SENT! ? [{ state: 'CANCELED', at: at('Cancelled') }] : [];
    case 'Processed':
    case 'Sent':
    case 'Delivered': {
      const steps: Transition[] = [];
      const path = [
        ['Processed', 'PROCESSED'],
        ['Sent', 'SENT'],
        ['Delivered', 'DELIVERED'],
      ] as const;
      const goal = path.findIndex(([app]) => app === target);
      for (let i = 0; i <= goal; i++) {
        const [app, ours] = path[i];
        const reached = i === goal || report.states[app] !== undefined;
        if (PROGRESS[ours]! > progress && reached) steps.push({ state: ours, at: at(app) });
      }
      return steps;
    }
    case 'Failed': {
      if (current === 'DELIVERED') return [];
      const steps: Transition[] = [];
      if (progress < PROGRESS.PROCESSED! && report.states.Processed !== undefined) {
        steps.push({ state: 'PROCESSED', at: at('Processed') });
      }
      if (progress < PROGRESS.SENT! && report.states.Sent !== undefined) {
        steps.push({ state: 'SENT', at: at('Sent') });
      }
      steps.push({ state: 'FAILED', at: at('Failed') });
      return steps;
    }
  }
}

/** Our error taxonomy for device failures (MessageStateEvent.error_code). */
export type DeviceErrorCode =
  | 'DEVICE_OFFLINE'
  | 'CARRIER_REJECTED'
  | 'NO_SERVICE'
  | 'RADIO_OFF'
  | 'GENERIC_FAILURE'
  | 'NULL_PDU'
  | 'LIMIT_EXCEEDED'
  | 'EXPIRED';

const ERROR_CODES: [RegExp, DeviceErrorCode][] = [
  [/^RESULT_ERROR_NO_SERVICE$|^RESULT_RIL_NETWORK_NOT_READY$/, 'NO_SERVICE'],
  [/^RESULT_(ERROR_RADIO_OFF|RADIO_NOT_AVAILABLE|RIL_RADIO_NOT_AVAILABLE)$/, 'RADIO_OFF'],
  [/^RESULT_ERROR_NULL_PDU$/, 'NULL_PDU'],
  [
    /^RESULT_(ERROR_LIMIT_EXCEEDED|RIL_REQUEST_RATE_LIMITED|UNEXPECTED_EVENT_STOP_SENDING)$/,
    'LIMIT_EXCEEDED',
  ],
  [
    /^RESULT_(NETWORK_REJECT|RIL_NETWORK_REJECT|RIL_ACCESS_BARRED|ERROR_FDN_CHECK_FAILURE|ERROR_SHORT_CODE_NOT_ALLOWED|ERROR_SHORT_CODE_NEVER_ALLOWED|INVALID_SMSC_ADDRESS|RIL_INVALID_SMSC_ADDRESS)$/,
    'CARRIER_REJECTED',
  ],
];

/**
 * Our code for the error text an SMSGate phone reports. The app reports Android's SmsManager
 * result as `"RESULT_ERROR_NO_SERVICE (Failed because ...)"`, exceptions as `"sendSMS: ..."`;
 * our own code names (what the device agent sends) pass through. Anything else is
 * GENERIC_FAILURE; the raw text always travels in error_message.
 */
export function normalizeDeviceError(raw: string | null | undefined): DeviceErrorCode {
  const token = /^\s*([A-Z][A-Z0-9_]+)/.exec(raw ?? '')?.[1] ?? '';
  for (const [pattern, code] of ERROR_CODES) if (pattern.test(token)) return code;
  const own: DeviceErrorCode[] = [
    'DEVICE_OFFLINE',
    'CARRIER_REJECTED',
    'NO_SERVICE',
    'RADIO_OFF',
    'GENERIC_FAILURE',
    'NULL_PDU',
    'LIMIT_EXCEEDED',
    'EXPIRED',
  ];
  return own.includes(token as DeviceErrorCode) ? (token as DeviceErrorCode) : 'GENERIC_FAILURE';
}
