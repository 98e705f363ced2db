/**
 * The error taxonomy of messages: Switchboard's normalized codes, stable across routes, plus
 * the route's raw code and text kept unchanged. Pure.
 */
export const MESSAGE_ERROR_CODES = {
  // Device route (normalized by the devices service, or raw Android results).
  DEVICE_OFFLINE: { retryOnAnotherDevice: true, text: 'The device went offline before sending' },
  NO_SERVICE: { retryOnAnotherDevice: true, text: 'The SIM had no network service' },
  RADIO_OFF: { retryOnAnotherDevice: true, text: 'The phone radio was off (airplane mode)' },
  GENERIC_FAILURE: { retryOnAnotherDevice: true, text: 'The phone failed to send the SMS' },
  NULL_PDU: { retryOnAnotherDevice: true, text: 'The phone could not encode the SMS' },
  LIMIT_EXCEEDED: { retryOnAnotherDevice: true, text: 'The phone hit its SMS sending limit' },
  CARRIER_REJECTED: { retryOnAnotherDevice: false, text: 'The carrier rejected the SMS' },
  INVALID_NUMBER: { retryOnAnotherDevice: false, text: 'The recipient number is not valid' },
  // Messaging's own.
  EXPIRED: { retryOnAnotherDevice: false, text: 'Not sent before its validity ended' },
  MAX_ATTEMPTS: { retryOnAnotherDevice: false, text: 'Every dispatch attempt failed' },
  ORGANIZATION_SUSPENDED: { retryOnAnotherDevice: false, text: 'The organization is suspended' },
  POLICY_REJECTED: { retryOnAnotherDevice: false, text: 'Blocked by a sending policy' },
  // Compliance (pre-send policies).
  OPTED_OUT: { retryOnAnotherDevice: false, text: 'The recipient opted out of messages' },
  DND: { retryOnAnotherDevice: false, text: "The recipient's contact is marked Do Not Disturb" },
  NO_CONSENT: {
    retryOnAnotherDevice: false,
    text: 'No recorded consent of the recipient to campaign messages',
  },
  QUIET_HOURS: {
    retryOnAnotherDevice: false,
    text: "Outside the sending window in the recipient's local time",
  },
  // Routing (domain/router.ts): no route of the organization can take the message.
  COUNTRY_NOT_ALLOWED: {
    retryOnAnotherDevice: false,
    text: "No route may send to the recipient's country (destination allow-lists)",
  },
  MMS_NOT_SUPPORTED: {
    retryOnAnotherDevice: false,
    text: 'No route of the organization sends MMS',
  },
  DAILY_CAP_REACHED: {
    retryOnAnotherDevice: false,
    text: 'Every route that fits has reached its daily cap',
  },
  NO_ROUTE_AVAILABLE: { retryOnAnotherDevice: false, text: 'No route is left for this message' },
  // Billing (the quota pre-send policy, libs/quota).
  QUOTA_EXCEEDED: {
    retryOnAnotherDevice: false,
    text: "The plan's included messages for this period are used up",
  },
  INSUFFICIENT_FUNDS: {
    retryOnAnotherDevice: false,
    text: 'The prepaid balance does not cover this message',
  },
} as const;

export type MessageErrorCode = keyof typeof MESSAGE_ERROR_CODES;

export interface MessageError {
  /** Normalized, upper snake case; new codes may appear (unknown ones mean a generic failure). */
  code: string;
  /** English explanation. */
  message: string;
  /** The route's own code, unchanged (e.g. Android `RESULT_ERROR_NO_SERVICE`); null when ours. */
  rawCode: string | null;
  /** The route's own text, unchanged. */
  rawMessage: string | null;
}

const ANDROID_RESULTS: Record<string, MessageErrorCode> = {
  GENERIC_FAILURE: 'GENERIC_FAILURE',
  RADIO_OFF: 'RADIO_OFF',
  RADIO_NOT_AVAILABLE: 'RADIO_OFF',
  NULL_PDU: 'NULL_PDU',
  NO_SERVICE: 'NO_SERVICE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  NETWORK_REJECT: 'CARRIER_REJECTED',
  SHORT_CODE_NOT_ALLOWED: 'CARRIER_REJECTED',
  SHORT_CODE_NEVER_ALLOWED: 'CARRIER_REJECTED',
  FDN_CHECK_FAILURE: 'CARRIER_REJECTED',
  INVALID_DESTINATION_ADDRESS: 'INVALID_NUMBER',
  INVALID_NUMBER: 'INVALID_NUMBER',
  DEVICE_OFFLINE: 'DEVICE_OFFLINE',
  CARRIER_REJECTED: 'CARRIER_REJECTED',
  EXPIRED: 'EXPIRED',
};

/**
 * Maps what a device reported (the devices service's normalized code, or a raw Android result
 * name like `RESULT_ERROR_NO_SERVICE`) to our code; anything unknown is GENERIC_FAILURE with
 * the raw code kept.
 */
export function normalizeDeviceError(rawCode: string, rawMessage: string): MessageError {
  const key = rawCode
    .trim()
    .toUpperCase()
    .replace(/^RESULT_(ERROR_)?/, '');
  const code: MessageErrorCode = ANDROID_RESULTS[key] ?? 'GENERIC_FAILURE';
  return {
    code,
    message: MESSAGE_ERROR_CODES[code].text,
    rawCode: rawCode.trim() || null,
    rawMessage: rawMessage.trim() || null,
  };
}

/** Whether sending through another device can help with this error. */
export function retryOnAnotherDevice(code: string): boolean {
  return (
    (MESSAGE_ERROR_CODES as Record<string, { retryOnAnotherDevice: boolean }>)[code]
      ?.retryOnAnotherDevice ?? true
  );
}

/** One of our own errors (no raw code). */
export function messagingError(code: MessageErrorCode, message?: string): MessageError {
  return {
    code,
    message: message ?? MESSAGE_ERROR_CODES[code].text,
    rawCode: null,
    rawMessage: null,
  };
}
