import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import { SecretKeyring, type KeysetPosition } from '@switchboard/service-kit';
import type { WebhookEventType } from '../domain/webhook-event-types';
import type {
  QueuedDelivery,
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEndpointRecord,
} from './webhook.record';

type Row = Record<string, unknown>;

/** The associated data that binds an endpoint's sealed secrets to its row. */
const secretContext = (id: string) => `webhook_endpoints:${id}`;

/**
 * Opens a stored secret. Rows written before secrets were sealed hold the plain `whsec_` value;
 * those are read as they are and sealed on their next rotation.
 */
function openSecret(keyring: SecretKeyring, stored: string, id: string): string {
  return stored.startsWith('whsec_') ? stored : keyring.open(stored, secretContext(id));
}

const endpointOf =
  (keyring: SecretKeyring) =>
  (r: Row): WebhookEndpointRecord => ({
    id: r.id as string,
    orgId: r.org_id as string,
    url: r.url as string,
    description: r.description as string,
    eventTypes: r.event_types as WebhookEventType[],
    secret: openSecret(keyring, r.secret as string, r.id as string),
    previousSecret:
      r.previous_secret == null
        ? null
        : openSecret(keyring, r.previous_secret as string, r.id as string),
    previousSecretExpiresAt: (r.previous_secret_expires_at as Date | null) ?? null,
    enabled: r.enabled as boolean,
    disabledAt: (r.disabled_at as Date | null) ?? null,
    disabledReason: (r.disabled_reason as string | null) ?? null,
    failingSince: (r.failing_since as Date | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  });

const DELIVERY_SELECT = `SELECT d.*, (extract(epoch FROM d.created_at) * 1000000)::bigint::text AS created_micros
  FROM webhook_deliveries d`;

const toDelivery = (r: Row): WebhookDeliveryRecord => ({
  id: r.id as string,
  orgId: r.org_id as string,
  endpointId: r.endpoint_id as string,
  eventId: r.event_id as string,
  eventType: r.event_type as string,
  payload: r.payload as string,
  status: r.status as WebhookDeliveryStatus,
  attempts: Number(r.attempts),
  firstAttemptAt: (r.first_attempt_at as Date | null) ?? null,
  lastAttemptAt: (r.last_attempt_at as Date | null) ?? null,
  nextAttemptAt: (r.next_attempt_at as Date | null) ?? null,
  lastResponseCode: r.last_response_code == null ? null : Number(r.last_response_code),
  lastError: (r.last_error as string | null) ?? null,
  deliveredAt: (r.delivered_at as Date | null) ?? null,
  createdAt: r.created_at as Date,
  createdMicros: r.created_micros as string,
});

const toAttempt = (r: Row): WebhookAttemptRecord => ({
  id: r.id as string,
  deliveryId: r.delivery_id as string,
  attempt: Number(r.attempt),
  attemptedAt: r.attempted_at as Date,
  requestHeaders: r.request_headers as Record<string, string>,
  responseCode: r.response_code == null ? null : Number(r.response_code),
  responseBody: (r.response_body as string | null) ?? null,
  latencyMs: Number(r.latency_ms),
  error: (r.error as string | null) ?? null,
});

export interface DeliveryFilter {
  status?: WebhookDeliveryStatus;
  createdAfter?: Date;
  createdBefore?: Date;
}

/**
 * All SQL of customer webhooks: endpoints, deliveries, the delivery log and the queue. Signing
 * secrets are sealed at rest with the service's keyring (AES-256-GCM, bound to the row) and
 * opened only here.
 */
@Injectable()
export class WebhooksRepository {
  private readonly toEndpoint: (r: Row) => WebhookEndpointRecord;

  constructor(
    private readonly keyring: SecretKeyring,
    private readonly dataSource: DataSource,
  ) {
    this.toEndpoint = endpointOf(keyring);
  }

  async insertEndpoint(
    tx: EntityManager,
    e: Pick<
      WebhookEndpointRecord,
      'id' | 'orgId' | 'url' | 'description' | 'eventTypes' | 'secret'
    > & {
      now: Date;
    },
  ): Promise<WebhookEndpointRecord> {
    const r = await row<Row>(
      tx,
      `INSERT INTO webhook_endpoints (id, org_id, url, description, event_types, secret, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
      [
        e.id,
        e.orgId,
        e.url,
        e.description,
        e.eventTypes,
        this.keyring.seal(e.secret, secretContext(e.id)),
        e.now,
      ],
    );
    return this.toEndpoint(r!);
  }

  async findEndpoint(
    tx: EntityManager,
    id: string,
    lock = false,
  ): Promise<WebhookEndpointRecord | undefined> {
    const r = await row<Row>(
      tx,
      `SELECT * FROM webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return r && this.toEndpoint(r);
  }

  async listEndpoints(tx: EntityManager): Promise<WebhookEndpointRecord[]> {
    return (await rows<Row>(tx, `SELECT * FROM webhook_endpoints ORDER BY created_at, id`)).map(
      this.toEndpoint,
    );
  }

  /**
   * Whether the organization has an enabled endpoint for `type`: one statement outside any
   * transaction (`webhook_subscribed`, migration 1700000001020, answers as that tenant).
   */
  async subscribed(orgId: string, type: WebhookEventType): Promise<boolean> {
    const answer = await row<{ subscribed: boolean }>(
      this.dataSource,
      `SELECT webhook_subscribed($1::uuid, $2) AS subscribed`,
      [orgId, type],
    );
    return answer?.subscribed ?? true;
  }

  /** The organization's enabled endpoints subscribed to `type` that existed at `at`. */
  async subscribers(
    tx: EntityManager,
    type: WebhookEventType,
    at?: Date,
  ): Promise<WebhookEndpointRecord[]> {
    return (
      await rows<Row>(
        tx,
        `SELECT * FROM webhook_endpoints
          WHERE enabled AND $1 = ANY(event_types) AND ($2::timestamptz IS NULL OR created_at <= $2)
          ORDER BY id`,
        [type, at ?? null],
      )
    ).map(this.toEndpoint);
  }

  async updateEndpoint(
    tx: EntityManager,
    id: string,
    patch: {
      url?: string;
      description?: string;
      eventTypes?: WebhookEventType[];
      enabled?: boolean;
    },
    now: Date,
  ): Promise<WebhookEndpointRecord | undefined> {
    const r = await row<Row>(
      tx,
      `UPDATE webhook_endpoints SET
         url = COALESCE($2, url),
         description = COALESCE($3, description),
         event_types = COALESCE($4, event_types),
         enabled = COALESCE($5, enabled),
         disabled_at = CASE WHEN $5 IS TRUE THEN NULL ELSE disabled_at END,
         disabled_reason = CASE WHEN $5 IS TRUE THEN NULL WHEN $5 IS FALSE AND enabled THEN 'disabled by a user' ELSE disabled_reason END,
         failing_since = CASE WHEN $5 IS TRUE THEN NULL ELSE failing_since END,
         updated_at = $6
       WHERE id = $1 RETURNING *`,
      [
        id,
        patch.url ?? null,
        patch.description ?? null,
        patch.eventTypes ?? null,
        patch.enabled ?? null,
        now,
      ],
    );
    return r && this.toEndpoint(r);
  }

  /**
   * Deletes an endpoint with its queued deliveries. The endpoint row is locked first, in the
   * order the delivery worker takes its locks (endpoint, then its delivery and queue rows), so a
   * delete racing an attempt waits for it instead of deadlocking.
   */
  async deleteEndpoint(tx: EntityManager, id: string): Promise<boolean> {
    await tx.query(`SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR UPDATE`, [id]);
    await tx.query(
      `DELETE FROM webhook_delivery_queue q USING webhook_deliveries d
        WHERE q.delivery_id = d.id AND d.endpoint_id = $1`,
      [id],
    );
    return (await affectedRows(tx, `DELETE FROM webhook_endpoints WHERE id = $1`, [id])) > 0;
  }

  async rotateSecret(
    tx: EntityManager,
    id: string,
    secret: string,
    previousExpiresAt: Date,
    now: Date,
  ): Promise<WebhookEndpointRecord | undefined> {
    const r = await row<Row>(
      tx,
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = $3,
              secret = $2, updated_at = $4
        WHERE id = $1 RETURNING *`,
      [id, this.keyring.seal(secret, secretContext(id)), previousExpiresAt, now],
    );
    return r && this.toEndpoint(r);
  }

  /** After an attempt: the endpoint's failing streak, and its disabling. */
  async setHealth(
    tx: EntityManager,
    id: string,
    health: { failingSince: Date | null; disable: boolean; reason?: string },
    now: Date,
  ): Promise<void> {
    await tx.query(
      `UPDATE webhook_endpoints SET failing_since = $2,
              enabled = enabled AND NOT $3,
              disabled_at = CASE WHEN $3 AND enabled THEN $4 ELSE disabled_at END,
              disabled_reason = CASE WHEN $3 AND enabled THEN $5 ELSE disabled_reason END,
              updated_at = CASE WHEN $3 AND enabled THEN $4 ELSE updated_at END
        WHERE id = $1`,
      [id, health.failingSince, health.disable, now, health.reason ?? null],
    );
  }

  /** One delivery per event and endpoint: a repeated event adds nothing (undefined). */
  async insertDelivery(
    tx: EntityManager,
    d: {
      orgId: string;
      endpointId: string;
      eventId: string;
      eventType: string;
      payload: string;
      now: Date;
    },
  ): Promise<string | undefined> {
    const r = await row<Row>(
      tx,
      `INSERT INTO webhook_deliveries (id, org_id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $7)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING RETURNING id`,
      [randomUUID(), d.orgId, d.endpointId, d.eventId, d.eventType, d.payload, d.now],
    );
    return r?.id as string | undefined;
  }

  async enqueue(
    tx: EntityManager,
    deliveryId: string,
    tenantId: string,
    dueAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_delivery_queue (delivery_id, tenant_id, due_at) VALUES ($1, $2, $3)
       ON CONFLICT (delivery_id) DO UPDATE SET due_at = EXCLUDED.due_at`,
      [deliveryId, tenantId, dueAt],
    );
  }

  async dequeue(tx: EntityManager, deliveryId: string): Promise<void> {
    await tx.query(`DELETE FROM webhook_delivery_queue WHERE delivery_id = $1`, [deliveryId]);
  }

  /**
   * Takes up to `limit` due deliveries: each one's due time moves to `leaseUntil`, so no other
   * replica takes it while this one sends (SKIP LOCKED: never waits for another's claim); a
   * worker that dies leaves it to be taken again after the lease (at-least-once).
   */
  async claimDue(
    tx: EntityManager,
    limit: number,
    now: Date,
    leaseUntil: Date,
  ): Promise<QueuedDelivery[]> {
    const claimed = await rows<Row>(
      tx,
      `UPDATE webhook_delivery_queue SET due_at = $3 WHERE delivery_id IN (
         SELECT delivery_id FROM webhook_delivery_queue WHERE due_at <= $2 ORDER BY due_at
          LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING delivery_id, tenant_id`,
      [limit, now, leaseUntil],
    );
    return claimed.map((r) => ({
      deliveryId: r.delivery_id as string,
      tenantId: r.tenant_id as string,
    }));
  }

  async findDelivery(tx: EntityManager, id: string): Promise<WebhookDeliveryRecord | undefined> {
    const r = await row<Row>(tx, `${DELIVERY_SELECT} WHERE d.id = $1`, [id]);
    return r && toDelivery(r);
  }

  async recordAttempt(
    tx: EntityManager,
    a: Omit<WebhookAttemptRecord, 'id'> & { orgId: string },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO webhook_delivery_attempts
         (id, org_id, delivery_id, attempt, attempted_at, request_headers, response_code, response_body, latency_ms, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        randomUUID(),
        a.orgId,
        a.deliveryId,
        a.attempt,
        a.attemptedAt,
        JSON.stringify(a.requestHeaders),
        a.responseCode,
        a.responseBody,
        a.latencyMs,
        a.error,
      ],
    );
  }

  async afterAttempt(
    tx: EntityManager,
    id: string,
    a: {
      status: WebhookDeliveryStatus;
      attemptedAt: Date;
      responseCode: number | null;
      error: string | null;
      nextAttemptAt: Date | null;
    },
  ): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, status = $2,
              first_attempt_at = COALESCE(first_attempt_at, $3), last_attempt_at = $3,
              last_response_code = $4, last_error = $5, next_attempt_at = $6,
              delivered_at = CASE WHEN $2 = 'SUCCEEDED' THEN $3 ELSE delivered_at END
        WHERE id = $1`,
      [id, a.status, a.attemptedAt, a.responseCode, a.error, a.nextAttemptAt],
    );
  }

  /** Stops a delivery without an attempt (its endpoint is gone or disabled). */
  async fail(tx: EntityManager, id: string, error: string): Promise<void> {
    await tx.query(
      `UPDATE webhook_deliveries SET status = 'FAILED', last_error = $2, next_attempt_at = NULL
        WHERE id = $1 AND status = 'PENDING'`,
      [id, error],
    );
  }

  /**
   * Sends deliveries again from now on (a fresh retry window), whatever their status; returns
   * their ids. By id, or every delivery of an endpoint created in [from, to).
   */
  async replay(
    tx: EntityManager,
    where: { id: string } | { endpointId: string; from: Date; to: Date },
    now: Date,
  ): Promise<string[]> {
    const [condition, params] =
      'id' in where
        ? ['id = $2', [where.id]]
        : [
            'endpoint_id = $2 AND created_at >= $3 AND created_at < $4',
            [where.endpointId, where.from, where.to],
          ];
    const replayed = await rows<Row>(
      tx,
      `UPDATE webhook_deliveries SET status = 'PENDING', first_attempt_at = NULL, next_attempt_at = $1
        WHERE ${condition} RETURNING id`,
      [now, ...params],
    );
    return replayed.map((r) => r.id as string);
  }

  /** A page of an endpoint's deliveries, newest first, after `after`. */
  async listDeliveries(
    tx: EntityManager,
    endpointId: string,
    filter: DeliveryFilter,
    limit: number,
    after?: KeysetPosition,
  ): Promise<WebhookDeliveryRecord[]> {
    const params: unknown[] = [endpointId];
    const where = ['d.endpoint_id = $1'];
    if (filter.status) {
      params.push(filter.status);
      where.push(`d.status = $${params.length}`);
    }
    if (filter.createdAfter) {
      params.push(filter.createdAfter);
      where.push(`d.created_at >= $${params.length}`);
    }
    if (filter.createdBefore) {
      params.push(filter.createdBefore);
      where.push(`d.created_at < $${params.length}`);
    }
    if (after) {
      params.push(after.micros, after.id);
      where.push(
        `(d.created_at, d.id) < (timestamptz 'epoch' + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    return (
      await rows<Row>(
        tx,
        `${DELIVERY_SELECT} WHERE ${where.join(' AND ')} ORDER BY d.created_at DESC, d.id DESC LIMIT $${params.length}`,
        params,
      )
    ).map(toDelivery);
  }

  async attemptsOf(tx: EntityManager, deliveryId: string): Promise<WebhookAttemptRecord[]> {
    return (
      await rows<Row>(
        tx,
        `SELECT * FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt, attempted_at`,
        [deliveryId],
      )
    ).map(toAttempt);
  }

  /**
   * Retention: removes up to `limit` finished deliveries (and their log, by cascade) created
   * before `before`; returns how many. Pending ones stay until they finish.
   */
  async purgeDeliveries(tx: EntityManager, before: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE created_at < $1 AND status <> 'PENDING'
          ORDER BY created_at LIMIT $2)`,
      [before, limit],
    );
  }

  /** Retention: the message body leaves up to `limit` inbound-message payloads created before `before`. */
  async redactBodies(tx: EntityManager, before: Date, now: Date, limit: number): Promise<number> {
    return affectedRows(
      tx,
      `UPDATE webhook_deliveries
          SET payload = jsonb_set(payload::jsonb, '{data,body}', 'null'::jsonb)::text, payload_redacted_at = $2
        WHERE id IN (
          SELECT id FROM webhook_deliveries
           WHERE event_type = 'message.received' AND payload_redacted_at IS NULL AND created_at < $1
           ORDER BY created_at LIMIT $3)`,
      [before, now, limit],
    );
  }
}
