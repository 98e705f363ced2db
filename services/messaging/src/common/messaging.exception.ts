import { domainException } from '@switchboard/errors';

/** The errors of the messaging API (GraphQL `extensions.code`). */
export enum MessagingErrorCode {
  /** `to` (or `from`, or a number filter) is not a valid phone number. */
  INVALID_NUMBER = 'INVALID_NUMBER',
  /** No body (and no media). */
  BODY_REQUIRED = 'BODY_REQUIRED',
  /** The body takes more segments than allowed (MESSAGE_MAX_SEGMENTS). */
  BODY_TOO_LONG = 'BODY_TOO_LONG',
  /** validUntil is in the past or not after scheduledAt. */
  INVALID_VALIDITY = 'INVALID_VALIDITY',
  /** scheduledAt is too far ahead. */
  INVALID_SCHEDULE = 'INVALID_SCHEDULE',
  /** metadata is not an object of at most 50 short string values. */
  INVALID_METADATA = 'INVALID_METADATA',
  /** deviceId is not a device of the organization (or was removed). */
  UNKNOWN_DEVICE = 'UNKNOWN_DEVICE',
  /** simNumber is not a SIM slot of the device. */
  INVALID_SIM = 'INVALID_SIM',
  /** `from` is not the number of a SIM of the organization's devices (or of the chosen route). */
  UNKNOWN_SENDER = 'UNKNOWN_SENDER',
  /** The idempotency key is not 1–255 visible ASCII characters. */
  INVALID_IDEMPOTENCY_KEY = 'INVALID_IDEMPOTENCY_KEY',
  /** The idempotency key was used (within 24 h) for a request with other parameters. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  MESSAGE_NOT_FOUND = 'MESSAGE_NOT_FOUND',
  /** The message was already sent (or is final): it cannot be canceled. */
  MESSAGE_NOT_CANCELABLE = 'MESSAGE_NOT_CANCELABLE',
  CONVERSATION_NOT_FOUND = 'CONVERSATION_NOT_FOUND',
  /** replyToMessageId is not an inbound message of the organization. */
  UNKNOWN_REPLY_TO = 'UNKNOWN_REPLY_TO',
  /** A pagination cursor that this API did not issue, or `first` out of range. */
  INVALID_PAGINATION = 'INVALID_PAGINATION',
  /** messageStats: `days` outside 1–90. */
  INVALID_STATS_RANGE = 'INVALID_STATS_RANGE',
  /** A webhook URL that is not an absolute https URL (http only outside production). */
  INVALID_WEBHOOK_URL = 'INVALID_WEBHOOK_URL',
  /** A webhook URL whose host resolves to a loopback, private, link-local… address (SSRF). */
  WEBHOOK_ADDRESS_FORBIDDEN = 'WEBHOOK_ADDRESS_FORBIDDEN',
  /** No event types, or an unknown one. */
  INVALID_WEBHOOK_EVENT_TYPES = 'INVALID_WEBHOOK_EVENT_TYPES',
  /** A description, overlap or time range out of bounds. */
  INVALID_WEBHOOK_INPUT = 'INVALID_WEBHOOK_INPUT',
  WEBHOOK_ENDPOINT_NOT_FOUND = 'WEBHOOK_ENDPOINT_NOT_FOUND',
  WEBHOOK_DELIVERY_NOT_FOUND = 'WEBHOOK_DELIVERY_NOT_FOUND',
  /** sendMessages: no inputs, or more than 1,000. */
  INVALID_BATCH_SIZE = 'INVALID_BATCH_SIZE',
  /** Carrier account input: missing or malformed credentials, name, kind. */
  INVALID_CARRIER_ACCOUNT = 'INVALID_CARRIER_ACCOUNT',
  CARRIER_ACCOUNT_NOT_FOUND = 'CARRIER_ACCOUNT_NOT_FOUND',
  /** The number already belongs to a carrier account (of this or another organization). */
  CARRIER_NUMBER_TAKEN = 'CARRIER_NUMBER_TAKEN',
  CARRIER_NUMBER_NOT_FOUND = 'CARRIER_NUMBER_NOT_FOUND',
  /** A carrier callback without a valid signature, or with a stale timestamp. */
  INVALID_CARRIER_SIGNATURE = 'INVALID_CARRIER_SIGNATURE',
  /** A route's settings are out of bounds (priority, countries, cost, cap, carrier account). */
  INVALID_ROUTE = 'INVALID_ROUTE',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  /** A send's or campaign's `routeId` is not an enabled route of the organization. */
  UNKNOWN_ROUTE = 'UNKNOWN_ROUTE',
  /** mediaUrls: not https, more than 10, or a file larger than the MMS limit. */
  INVALID_MEDIA = 'INVALID_MEDIA',
  /** A contact's number, name or attributes are not acceptable. */
  INVALID_CONTACT = 'INVALID_CONTACT',
  /** The organization already has a contact with this number. */
  CONTACT_EXISTS = 'CONTACT_EXISTS',
  CONTACT_NOT_FOUND = 'CONTACT_NOT_FOUND',
  /** A list name or segment filter that is not acceptable, or a write to a segment. */
  INVALID_CONTACT_LIST = 'INVALID_CONTACT_LIST',
  CONTACT_LIST_NOT_FOUND = 'CONTACT_LIST_NOT_FOUND',
  CONTACT_IMPORT_NOT_FOUND = 'CONTACT_IMPORT_NOT_FOUND',
  /** An upload or report link that is not signed by us, is for another import, or expired. */
  IMPORT_LINK_INVALID = 'IMPORT_LINK_INVALID',
  /** The import already has its file (an upload link works once). */
  IMPORT_ALREADY_UPLOADED = 'IMPORT_ALREADY_UPLOADED',
  /** The file cannot be imported at all (no header, no phone column). */
  INVALID_IMPORT_FILE = 'INVALID_IMPORT_FILE',
  /** A campaign's name, template, rate or schedule is not acceptable. */
  INVALID_CAMPAIGN = 'INVALID_CAMPAIGN',
  CAMPAIGN_NOT_FOUND = 'CAMPAIGN_NOT_FOUND',
  /** start, pause, resume or cancel does not apply to the campaign's status. */
  CAMPAIGN_STATE_CONFLICT = 'CAMPAIGN_STATE_CONFLICT',
  /** A stored-media link that is not signed by us, is for another medium, or expired. */
  MEDIA_LINK_INVALID = 'MEDIA_LINK_INVALID',
  /** The medium is not stored (still being fetched, refused, or deleted by retention). */
  MEDIA_NOT_FOUND = 'MEDIA_NOT_FOUND',
  /** A priority outside what the caller may set (see domain/message-priority). */
  INVALID_PRIORITY = 'INVALID_PRIORITY',
}

export class MessagingException extends domainException<MessagingErrorCode>({
  INVALID_NUMBER: 'BAD_INPUT',
  BODY_REQUIRED: 'BAD_INPUT',
  BODY_TOO_LONG: 'BAD_INPUT',
  INVALID_VALIDITY: 'BAD_INPUT',
  INVALID_SCHEDULE: 'BAD_INPUT',
  INVALID_METADATA: 'BAD_INPUT',
  UNKNOWN_DEVICE: 'BAD_INPUT',
  INVALID_SIM: 'BAD_INPUT',
  UNKNOWN_SENDER: 'BAD_INPUT',
  INVALID_IDEMPOTENCY_KEY: 'BAD_INPUT',
  IDEMPOTENCY_KEY_REUSED: 'CONFLICT',
  MESSAGE_NOT_FOUND: 'NOT_FOUND',
  MESSAGE_NOT_CANCELABLE: 'PRECONDITION_FAILED',
  CONVERSATION_NOT_FOUND: 'NOT_FOUND',
  INVALID_PAGINATION: 'BAD_INPUT',
  INVALID_STATS_RANGE: 'BAD_INPUT',
  UNKNOWN_REPLY_TO: 'BAD_INPUT',
  INVALID_WEBHOOK_URL: 'BAD_INPUT',
  WEBHOOK_ADDRESS_FORBIDDEN: 'BAD_INPUT',
  INVALID_WEBHOOK_EVENT_TYPES: 'BAD_INPUT',
  INVALID_WEBHOOK_INPUT: 'BAD_INPUT',
  WEBHOOK_ENDPOINT_NOT_FOUND: 'NOT_FOUND',
  WEBHOOK_DELIVERY_NOT_FOUND: 'NOT_FOUND',
  INVALID_BATCH_SIZE: 'BAD_INPUT',
  INVALID_CARRIER_ACCOUNT: 'BAD_INPUT',
  CARRIER_ACCOUNT_NOT_FOUND: 'NOT_FOUND',
  CARRIER_NUMBER_TAKEN: 'CONFLICT',
  CARRIER_NUMBER_NOT_FOUND: 'NOT_FOUND',
  INVALID_CARRIER_SIGNATURE: 'UNAUTHENTICATED',
  INVALID_ROUTE: 'BAD_INPUT',
  ROUTE_NOT_FOUND: 'NOT_FOUND',
  UNKNOWN_ROUTE: 'BAD_INPUT',
  INVALID_MEDIA: 'BAD_INPUT',
  INVALID_CONTACT: 'BAD_INPUT',
  CONTACT_EXISTS: 'CONFLICT',
  CONTACT_NOT_FOUND: 'NOT_FOUND',
  INVALID_CONTACT_LIST: 'BAD_INPUT',
  CONTACT_LIST_NOT_FOUND: 'NOT_FOUND',
  CONTACT_IMPORT_NOT_FOUND: 'NOT_FOUND',
  IMPORT_LINK_INVALID: 'FORBIDDEN',
  IMPORT_ALREADY_UPLOADED: 'CONFLICT',
  INVALID_IMPORT_FILE: 'BAD_INPUT',
  INVALID_CAMPAIGN: 'BAD_INPUT',
  CAMPAIGN_NOT_FOUND: 'NOT_FOUND',
  CAMPAIGN_STATE_CONFLICT: 'PRECONDITION_FAILED',
  MEDIA_LINK_INVALID: 'FORBIDDEN',
  MEDIA_NOT_FOUND: 'NOT_FOUND',
  INVALID_PRIORITY: 'BAD_INPUT',
}) {}
