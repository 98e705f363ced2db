import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { matchesMaskedNumber } from '../domain/phone-number';
import { affectedRows, row, rows } from '@switchboard/tenancy';
import type { RouteKind } from '../domain/router';
import type { RouteAttemptOutcome, RouteAttemptRecord, RouteRecord } from './route.record';

interface RouteRow {
  id: string;
  org_id: string;
  name: string;
  kind: RouteKind;
  carrier_account_id: string | null;
  priority: number;
  allowed_countries: string[];
  cost_per_segment_minor: number | null;
  cost_currency: string | null;
  daily_cap_segments: number | null;
  device_failover_seconds: number | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}

interface AttemptRow {
  message_id: string;
  attempt: number;
  route_id: string | null;
  route_kind: RouteKind;
  started_at: Date;
  ended_at: Date | null;
  outcome: RouteAttemptOutcome;
  error_code: string | null;
  error_raw_code: string | null;
  error_raw_message: string | null;
}

/** The writable settings of a route. */
export type RouteSettings = Pick<
  RouteRecord,
  | 'name'
  | 'priority'
  | 'allowedCountries'
  | 'costPerSegmentMinor'
  | 'costCurrency'
  | 'dailyCapSegments'
  | 'deviceFailoverSeconds'
  | 'enabled'
>;

const toRoute = (r: RouteRow): RouteRecord => ({
  id: r.id,
  orgId: r.org_id,
  name: r.name,
  kind: r.kind,
  carrierAccountId: r.carrier_account_id,
  priority: r.priority,
  allowedCountries: r.allowed_countries,
  costPerSegmentMinor: r.cost_per_segment_minor,
  costCurrency: r.cost_currency,
  dailyCapSegments: r.daily_cap_segments,
  deviceFailoverSeconds: r.device_failover_seconds,
  enabled: r.enabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toAttempt = (r: AttemptRow): RouteAttemptRecord => ({
  messageId: r.message_id,
  attempt: r.attempt,
  routeId: r.route_id,
  routeKind: r.route_kind,
  startedAt: r.started_at,
  endedAt: r.ended_at,
  outcome: r.outcome,
  errorCode: r.error_code,
  errorRawCode: r.error_raw_code,
  errorRawMessage: r.error_raw_message,
});

/** Routes, their daily usage, the attempts of messages, and the facts of route health. */
@Injectable()
export class RoutesRepository {
  async list(tx: EntityManager): Promise<RouteRecord[]> {
    return (await rows<RouteRow>(tx, `SELECT * FROM routes ORDER BY priority, id`)).map(toRoute);
  }

  async find(tx: EntityManager, id: string): Promise<RouteRecord | undefined> {
    const r = await row<RouteRow>(tx, `SELECT * FROM routes WHERE id = $1`, [id]);
    return r && toRoute(r);
  }

  async insert(
    tx: EntityManager,
    r: RouteSettings & Pick<RouteRecord, 'id' | 'orgId' | 'kind' | 'carrierAccountId'>,
    now: Date,
  ): Promise<RouteRecord> {
    const created = await row<RouteRow>(
      tx,
      `INSERT INTO routes (id, org_id, name, kind, carrier_account_id, priority, allowed_countries,
         cost_per_segment_minor, cost_currency, daily_cap_segments, device_failover_seconds, enabled,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING *`,
      [
        r.id,
        r.orgId,
        r.name,
        r.kind,
        r.carrierAccountId,
        r.priority,
        r.allowedCountries,
        r.costPerSegmentMinor,
        r.costCurrency,
        r.dailyCapSegments,
        r.deviceFailoverSeconds,
        r.enabled,
        now,
      ],
    );
    return toRoute(created!);
  }

  async update(
    tx: EntityManager,
    id: string,
    s: RouteSettings,
    now: Date,
  ): Promise<RouteRecord | undefined> {
    const updated = await row<RouteRow>(
      tx,
      `UPDATE routes SET name = $2, priority = $3, allowed_countries = $4, cost_per_segment_minor = $5,
         cost_currency = $6, daily_cap_segments = $7, device_failover_seconds = $8, enabled = $9,
         updated_at = $10
       WHERE id = $1 RETURNING *`,
      [
        id,
        s.name,
        s.priority,
        s.allowedCountries,
        s.costPerSegmentMinor,
        s.costCurrency,
        s.dailyCapSegments,
        s.deviceFailoverSeconds,
        s.enabled,
        now,
      ],
    );
    return updated && toRoute(updated);
  }

  async delete(tx: EntityManager, id: string): Promise<boolean> {
    return (await affectedRows(tx, `DELETE FROM routes WHERE id = $1`, [id])) > 0;
  }

  /** The kind of one of the organization's carrier accounts (area A's table), if it exists. */
  async carrierAccountKind(tx: EntityManager, id: string): Promise<string | undefined> {
    const present = await row<{ present: boolean }>(
      tx,
      `SELECT to_regclass('carrier_accounts') IS NOT NULL AS present`,
    );
    if (!present?.present) return undefined;
    const r = await row<{ kind: string }>(tx, `SELECT kind FROM carrier_accounts WHERE id = $1`, [
      id,
    ]);
    return r?.kind;
  }

  /** Segments sent today (UTC `day`, YYYY-MM-DD) per route. */
  async usage(tx: EntityManager, day: string): Promise<Map<string, number>> {
    const found = await rows<{ route_id: string; segments: number }>(
      tx,
      `SELECT route_id, segments FROM route_daily_usage WHERE day = $1`,
      [day],
    );
    return new Map(found.map((r) => [r.route_id, r.segments]));
  }

  async addUsage(
    tx: EntityManager,
    u: { orgId: string; routeId: string; day: string; segments: number },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO route_daily_usage (org_id, route_id, day, segments) VALUES ($1, $2, $3, $4)
       ON CONFLICT (route_id, day) DO UPDATE SET segments = route_daily_usage.segments + EXCLUDED.segments`,
      [u.orgId, u.routeId, u.day, u.segments],
    );
  }

  /**
   * Counts `segments` against a route's daily cap only if they still fit: one statement (the
   * row is locked by the upsert and the condition checked on its latest version), so racing
   * sends never pass the cap. Returns whether they were counted.
   */
  async takeUsage(
    tx: EntityManager,
    u: { orgId: string; routeId: string; day: string; segments: number; cap: number },
  ): Promise<boolean> {
    const taken = await rows(
      tx,
      `INSERT INTO route_daily_usage (org_id, route_id, day, segments)
       SELECT $1::uuid, $2::uuid, $3::date, $4::int WHERE $4::int <= $5::int
       ON CONFLICT (route_id, day) DO UPDATE
         SET segments = route_daily_usage.segments + EXCLUDED.segments
         WHERE route_daily_usage.segments + EXCLUDED.segments <= $5::int
       RETURNING segments`,
      [u.orgId, u.routeId, u.day, u.segments, u.cap],
    );
    return taken.length > 0;
  }

  /** Whether `number` is an SMS- or MMS-capable number of the carrier account (a route's sender). */
  async isCarrierNumber(tx: EntityManager, carrierAccountId: string, number: string) {
    const r = await row<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM carrier_numbers
        WHERE carrier_account_id = $1 AND number = $2 AND (sms OR mms)`,
      [carrierAccountId, number],
    );
    return (r?.n ?? 0) > 0;
  }

  /** The device SIMs with the number `e164` (a device pool sender), with their phone's status. */
  async simsOfNumber(tx: EntityManager, e164: string): Promise<Array<{ online: boolean }>> {
    const found = await rows<{ status: string; sims: Array<{ maskedNumber: string }> | null }>(
      tx,
      `SELECT status, sims FROM devices WHERE removed_at IS NULL`,
    );
    return found.flatMap((d) =>
      (d.sims ?? [])
        .filter((sim) => matchesMaskedNumber(e164, sim.maskedNumber))
        .map(() => ({ online: d.status === 'ONLINE' })),
    );
  }

  /** Remembers a message's route preference (`message_route_preferences`). */
  async insertPreference(
    tx: EntityManager,
    p: { orgId: string; messageId: string; routeId: string; fallback: boolean },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO message_route_preferences (org_id, message_id, route_id, fallback)
       VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING`,
      [p.orgId, p.messageId, p.routeId, p.fallback],
    );
  }

  async preferenceOf(
    tx: EntityManager,
    messageId: string,
  ): Promise<{ routeId: string; fallback: boolean } | undefined> {
    const r = await row<{ route_id: string; fallback: boolean }>(
      tx,
      `SELECT route_id, fallback FROM message_route_preferences WHERE message_id = $1`,
      [messageId],
    );
    return r ? { routeId: r.route_id, fallback: r.fallback } : undefined;
  }

  /** The organization's devices online now (the device pool's health). */
  async onlineDevices(tx: EntityManager): Promise<number> {
    const r = await row<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM devices WHERE removed_at IS NULL AND status = 'ONLINE'`,
    );
    return r?.n ?? 0;
  }

  /** Attempts and failures per route since `since` (carrier health). */
  async recentOutcomes(
    tx: EntityManager,
    since: Date,
  ): Promise<Map<string, { attempts: number; failures: number }>> {
    const found = await rows<{ route_id: string; attempts: number; failures: number }>(
      tx,
      `SELECT route_id, count(*)::int AS attempts, count(*) FILTER (WHERE outcome = 'FAILED')::int AS failures
         FROM message_route_attempts
        WHERE route_id IS NOT NULL AND started_at >= $1
        GROUP BY route_id`,
      [since],
    );
    return new Map(found.map((r) => [r.route_id, { attempts: r.attempts, failures: r.failures }]));
  }

  async insertAttempt(
    tx: EntityManager,
    a: Pick<RouteAttemptRecord, 'messageId' | 'attempt' | 'routeId' | 'routeKind' | 'startedAt'> & {
      orgId: string;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO message_route_attempts (org_id, message_id, attempt, route_id, route_kind, started_at, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, 'PENDING')
       ON CONFLICT (message_id, attempt) DO NOTHING`,
      [a.orgId, a.messageId, a.attempt, a.routeId, a.routeKind, a.startedAt],
    );
  }

  /** The routes a message took, in order. */
  async attemptsOf(tx: EntityManager, messageId: string): Promise<RouteAttemptRecord[]> {
    return (
      await rows<AttemptRow>(
        tx,
        `SELECT * FROM message_route_attempts WHERE message_id = $1 ORDER BY attempt`,
        [messageId],
      )
    ).map(toAttempt);
  }

  /** The attempts of many messages (GraphQL `Message.attempts`, batched). */
  async attemptsOfMany(tx: EntityManager, messageIds: string[]): Promise<RouteAttemptRecord[]> {
    return (
      await rows<AttemptRow>(
        tx,
        `SELECT * FROM message_route_attempts WHERE message_id = ANY($1::uuid[]) ORDER BY message_id, attempt`,
        [messageIds],
      )
    ).map(toAttempt);
  }

  /**
   * Ends (or marks) the attempt; only an attempt still open changes — or one the carrier
   * accepted (SUCCEEDED) that its status callback then reports failed (undelivered).
   */
  async setOutcome(
    tx: EntityManager,
    messageId: string,
    attempt: number,
    outcome: RouteAttemptOutcome,
    at: Date | null,
    error?: { code: string; rawCode: string | null; rawMessage: string | null },
  ): Promise<boolean> {
    return (
      (await affectedRows(
        tx,
        `UPDATE message_route_attempts
            SET outcome = $3, ended_at = COALESCE($4, ended_at),
                error_code = COALESCE($5, error_code), error_raw_code = COALESCE($6, error_raw_code),
                error_raw_message = COALESCE($7, error_raw_message)
          WHERE message_id = $1 AND attempt = $2 AND (ended_at IS NULL OR outcome = 'SUCCEEDED')`,
        [
          messageId,
          attempt,
          outcome,
          at,
          error?.code ?? null,
          error?.rawCode ?? null,
          error?.rawMessage ?? null,
        ],
      )) > 0
    );
  }
}
