import { domainException } from '@switchboard/errors';

/** The errors of the ghl-sync API, webhooks and consumers (GraphQL `extensions.code`). */
export enum GhlSyncErrorCode {
  /** A webhook whose signature is missing, `N/A`, malformed or wrong: nothing is written. */
  INVALID_SIGNATURE = 'INVALID_SIGNATURE',
  /** An app webhook whose `timestamp` is missing or outside the tolerance (a replay). */
  STALE_WEBHOOK = 'STALE_WEBHOOK',
  /** A webhook body that is not the JSON GHL documents (a required field missing). */
  INVALID_WEBHOOK = 'INVALID_WEBHOOK',
  /** A location or company no installation links to an organization (or uninstalled). */
  UNKNOWN_LOCATION = 'UNKNOWN_LOCATION',
  /** An OAuth `state` that this service did not sign, or that expired. */
  INVALID_STATE = 'INVALID_STATE',
  /** The OAuth callback without a code, or GHL refused the code. */
  OAUTH_FAILED = 'OAUTH_FAILED',
  /** No installation with this id in the organization. */
  INSTALLATION_NOT_FOUND = 'INSTALLATION_NOT_FOUND',
  /** A pagination cursor this API did not issue, or `first` out of range. */
  INVALID_PAGINATION = 'INVALID_PAGINATION',
  /** GHL refused a request (4xx other than 429): retrying the same request cannot help. */
  GHL_REQUEST_FAILED = 'GHL_REQUEST_FAILED',
  /** GHL could not be reached, answered 5xx or 429, or our own rate limit is spent: retry later. */
  GHL_UNAVAILABLE = 'GHL_UNAVAILABLE',
}

export class GhlSyncException extends domainException<GhlSyncErrorCode>({
  INVALID_SIGNATURE: 'UNAUTHENTICATED',
  STALE_WEBHOOK: 'BAD_INPUT',
  INVALID_WEBHOOK: 'BAD_INPUT',
  UNKNOWN_LOCATION: 'NOT_FOUND',
  INVALID_STATE: 'BAD_INPUT',
  OAUTH_FAILED: 'PRECONDITION_FAILED',
  INSTALLATION_NOT_FOUND: 'NOT_FOUND',
  INVALID_PAGINATION: 'BAD_INPUT',
  GHL_REQUEST_FAILED: 'PRECONDITION_FAILED',
  GHL_UNAVAILABLE: 'UNAVAILABLE',
}) {}
