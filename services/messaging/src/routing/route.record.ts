import type { RouteKind } from '../domain/router';

/** A row of `routes`. */
export interface RouteRecord {
  id: string;
  orgId: string;
  name: string;
  kind: RouteKind;
  /** The carrier account (carrier_accounts.id) of a TWILIO / TELNYX route; null for DEVICE_POOL. */
  carrierAccountId: string | null;
  priority: number;
  allowedCountries: string[];
  costPerSegmentMinor: number | null;
  costCurrency: string | null;
  dailyCapSegments: number | null;
  /** DEVICE_POOL: seconds until an untaken message fails over (null: the configured default). */
  deviceFailoverSeconds: number | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type RouteAttemptOutcome = 'PENDING' | 'WITHDRAWING' | 'WITHDRAWN' | 'FAILED' | 'SUCCEEDED';

/** A row of `message_route_attempts`: one route a message took. */
export interface RouteAttemptRecord {
  messageId: string;
  /** The message's dispatch attempt this route started at. */
  attempt: number;
  /** null: the implicit device pool of an organization without routes. */
  routeId: string | null;
  routeKind: RouteKind;
  startedAt: Date;
  endedAt: Date | null;
  outcome: RouteAttemptOutcome;
  errorCode: string | null;
  errorRawCode: string | null;
  errorRawMessage: string | null;
}
