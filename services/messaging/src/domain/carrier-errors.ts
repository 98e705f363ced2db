/**
 * The carriers' error taxonomy: Twilio and Telnyx error codes (and HTTP failures of their APIs)
 * mapped to our normalized codes, the vendor's raw code and text kept unchanged, and whether
 * another route (the device pool, the other carrier) can help. Pure.
 *
 * Sources: Twilio's error dictionary (https://www.twilio.com/docs/api/errors, 2xxxx API and
 * 3xxxx delivery errors) and Telnyx's messaging error reference
 * (https://developers.telnyx.com/docs/messaging/messages/error-codes: 1xxxx API, 40xxx
 * delivery errors). A code not in the tables is CARRIER_ERROR: retryable on another route, so
 * an unknown failure never strands a message.
 */
import type { MessageError } from './message-error';

export const CARRIER_KINDS = ['TWILIO', 'TELNYX'] as const;
export type CarrierKind = (typeof CARRIER_KINDS)[number];

/** Our normalized carrier error codes (domain/carrier-errors.ts holds the vendor → ours table). */
export type CarrierErrorCode =
  | 'UNREACHABLE'
  | 'BLOCKED'
  | 'UNKNOWN_DESTINATION'
  | 'LANDLINE'
  | 'FILTERED'
  | 'UNREGISTERED_10DLC'
  | 'UNVERIFIED_TOLL_FREE'
  | 'OPTED_OUT'
  | 'INVALID_NUMBER'
  | 'INVALID_SENDER'
  | 'DESTINATION_NOT_ALLOWED'
  | 'INVALID_CONTENT'
  | 'MEDIA_ERROR'
  | 'MEDIA_TOO_LARGE'
  | 'MEDIA_UNREACHABLE'
  | 'QUEUE_OVERFLOW'
  | 'EXPIRED'
  | 'RATE_LIMITED'
  | 'AUTH_FAILED'
  | 'ACCOUNT_SUSPENDED'
  | 'CARRIER_UNAVAILABLE'
  | 'CARRIER_ERROR';

export interface CarrierError {
  code: CarrierErrorCode;
  /** The vendor's own code, unchanged (Twilio `30007`, Telnyx `40008`, or `HTTP_503`). */
  rawCode: string | null;
  rawText: string | null;
  /** Another route (device pool, other carrier) may succeed where this one failed. */
  retryableOnAnotherRoute: boolean;
  /** The same route may succeed later (HTTP 429/5xx, timeouts): retry with backoff first. */
  transient: boolean;
}

interface Rule {
  code: CarrierErrorCode;
  /** Another route may succeed. */
  another: boolean;
}

/** What each of our codes means (the message's error text) and its default for another route. */
export const CARRIER_ERROR_TEXTS: Readonly<Record<CarrierErrorCode, string>> = {
  UNREACHABLE: 'The recipient handset could not be reached',
  BLOCKED: 'The message was blocked by the carrier or the recipient',
  UNKNOWN_DESTINATION: 'The recipient number is unknown or not in service',
  LANDLINE: 'The recipient number cannot receive SMS (landline or unreachable carrier)',
  FILTERED: 'The carrier filtered the message (spam or content rules)',
  UNREGISTERED_10DLC: 'The sender is not registered for A2P 10DLC traffic',
  UNVERIFIED_TOLL_FREE: 'The toll-free sender is not verified',
  OPTED_OUT: 'The recipient opted out (STOP) of messages from this sender',
  INVALID_NUMBER: 'The recipient number is not valid',
  INVALID_SENDER: 'The sender number cannot send this message',
  DESTINATION_NOT_ALLOWED: "The carrier account may not send to the recipient's region",
  INVALID_CONTENT: 'The carrier rejected the message body or media',
  MEDIA_ERROR: 'The media could not be sent (size, type or MMS support)',
  MEDIA_TOO_LARGE: 'A media file is larger than the MMS size limit',
  MEDIA_UNREACHABLE: 'A media file cannot be fetched (not found, refused, or a forbidden address)',
  QUEUE_OVERFLOW: "The carrier's queue for the sender was full",
  EXPIRED: 'The message expired before the carrier delivered it',
  RATE_LIMITED: 'The carrier rate limit or daily cap was reached',
  AUTH_FAILED: 'The carrier refused the account credentials',
  ACCOUNT_SUSPENDED: 'The carrier account is suspended',
  CARRIER_UNAVAILABLE: 'The carrier API did not answer (timeout, 5xx)',
  CARRIER_ERROR: 'The carrier failed to send the message',
};

const r = (code: CarrierErrorCode, another: boolean): Rule => ({ code, another });

/** Twilio error codes (API errors on create, `ErrorCode` in status callbacks). */
export const TWILIO_ERRORS: Readonly<Record<string, Rule>> = {
  // Delivery (3xxxx).
  '30001': r('QUEUE_OVERFLOW', true),
  '30002': r('ACCOUNT_SUSPENDED', true),
  '30003': r('UNREACHABLE', false),
  '30004': r('BLOCKED', false),
  '30005': r('UNKNOWN_DESTINATION', false),
  '30006': r('LANDLINE', false),
  '30007': r('FILTERED', true),
  '30008': r('CARRIER_ERROR', true),
  '30009': r('CARRIER_ERROR', true),
  '30010': r('CARRIER_ERROR', true),
  '30011': r('MEDIA_ERROR', true),
  '30019': r('MEDIA_ERROR', true),
  '30020': r('CARRIER_ERROR', true),
  '30021': r('CARRIER_ERROR', true),
  '30022': r('RATE_LIMITED', true),
  '30023': r('RATE_LIMITED', true),
  '30024': r('INVALID_SENDER', true),
  '30032': r('UNVERIFIED_TOLL_FREE', true),
  '30033': r('UNREGISTERED_10DLC', true),
  '30034': r('UNREGISTERED_10DLC', true),
  // API (2xxxx), answered to the create request.
  '20003': r('AUTH_FAILED', true),
  '20429': r('RATE_LIMITED', true),
  '21211': r('INVALID_NUMBER', false),
  '21408': r('DESTINATION_NOT_ALLOWED', true),
  '21606': r('INVALID_SENDER', true),
  '21610': r('OPTED_OUT', false),
  '21612': r('INVALID_SENDER', true),
  '21614': r('LANDLINE', false),
  '21617': r('INVALID_CONTENT', false),
  '21620': r('MEDIA_ERROR', true),
};

/** Telnyx error codes (API `errors[].code`, `errors[].code` of message.finalized webhooks). */
export const TELNYX_ERRORS: Readonly<Record<string, Rule>> = {
  // Delivery (40xxx).
  '40001': r('LANDLINE', false),
  '40002': r('FILTERED', true),
  '40003': r('BLOCKED', true),
  '40004': r('CARRIER_ERROR', true),
  '40005': r('EXPIRED', true),
  '40006': r('UNREACHABLE', true),
  '40008': r('CARRIER_ERROR', true),
  '40009': r('INVALID_CONTENT', false),
  '40011': r('RATE_LIMITED', true),
  '40012': r('INVALID_NUMBER', false),
  '40013': r('INVALID_SENDER', true),
  '40014': r('EXPIRED', true),
  '40015': r('FILTERED', true),
  '40300': r('OPTED_OUT', false),
  // API (1xxxx).
  '10001': r('INVALID_SENDER', true),
  '10002': r('INVALID_NUMBER', false),
  '10009': r('AUTH_FAILED', true),
  '10010': r('AUTH_FAILED', true),
  '10011': r('RATE_LIMITED', true),
  '10016': r('INVALID_NUMBER', false),
};

const TABLES: Readonly<Record<CarrierKind, Readonly<Record<string, Rule>>>> = {
  TWILIO: TWILIO_ERRORS,
  TELNYX: TELNYX_ERRORS,
};

/**
 * A vendor error code (from an API answer or a status callback) as our error. `transient` is
 * false: the vendor answered, and the same request would get the same answer.
 */
export function normalizeCarrierError(
  kind: CarrierKind,
  rawCode: string | number | null | undefined,
  rawText: string | null | undefined,
): CarrierError {
  const key = rawCode == null ? '' : String(rawCode).trim();
  const rule = TABLES[kind][key] ?? r('CARRIER_ERROR', true);
  return {
    code: rule.code,
    rawCode: key || null,
    rawText: rawText?.trim() || null,
    retryableOnAnotherRoute: rule.another,
    transient: false,
  };
}

/**
 * A failed API call without a vendor error code we know better: HTTP 429 and 5xx (and no
 * answer at all: status 0) are transient (retry the same route with backoff); 401/403 mean bad
 * credentials. When the body carried a vendor code, the table decides, except that 429/5xx
 * stay transient whatever the code.
 */
export function normalizeHttpFailure(
  kind: CarrierKind,
  httpStatus: number,
  vendorCode: string | number | null | undefined,
  rawText: string | null | undefined,
): CarrierError {
  const transient = httpStatus === 0 || httpStatus === 429 || httpStatus >= 500;
  if (vendorCode != null && String(vendorCode).trim() !== '' && !transient) {
    return normalizeCarrierError(kind, vendorCode, rawText);
  }
  const code: CarrierErrorCode = transient
    ? httpStatus === 429
      ? 'RATE_LIMITED'
      : 'CARRIER_UNAVAILABLE'
    : httpStatus === 401 || httpStatus === 403
      ? 'AUTH_FAILED'
      : 'CARRIER_ERROR';
  return {
    code,
    rawCode:
      vendorCode != null && String(vendorCode).trim() ? String(vendorCode) : `HTTP_${httpStatus}`,
    rawText: rawText?.trim() || null,
    retryableOnAnotherRoute: true,
    transient,
  };
}

/** The message's error (messages.error) for a carrier error. */
export function messageErrorOfCarrier(error: CarrierError): MessageError {
  return {
    code: error.code,
    message: CARRIER_ERROR_TEXTS[error.code],
    rawCode: error.rawCode,
    rawMessage: error.rawText,
  };
}
