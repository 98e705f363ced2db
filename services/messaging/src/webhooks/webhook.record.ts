import type { WebhookEventType } from '../domain/webhook-event-types';

/** A row of `webhook_endpoints`. */
export interface WebhookEndpointRecord {
  id: string;
  orgId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookDeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** A row of `webhook_deliveries`: one event for one endpoint. */
export interface WebhookDeliveryRecord {
  id: string;
  orgId: string;
  endpointId: string;
  /** The `webhook-id` header: the same on every attempt and replay. */
  eventId: string;
  eventType: string;
  /** The exact JSON body sent (and signed). */
  payload: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  firstAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  lastResponseCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** created_at in microseconds (the keyset cursor). */
  createdMicros: string;
}

/** A row of `webhook_delivery_attempts`: the delivery log. */
export interface WebhookAttemptRecord {
  id: string;
  deliveryId: string;
  attempt: number;
  attemptedAt: Date;
  requestHeaders: Record<string, string>;
  responseCode: number | null;
  responseBody: string | null;
  latencyMs: number;
  error: string | null;
}

/** A claimed entry of the worker's queue. */
export interface QueuedDelivery {
  deliveryId: string;
  tenantId: string;
}
