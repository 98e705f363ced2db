import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { rows, type SqlStatement } from '@switchboard/tenancy';
import type { Transition } from '../domain/message-states';
import type { Candidate, SimPolicy } from '../domain/selection';
import type { HandoutRecord, QueueRow } from './queue-row.record';

const QUEUE_COLUMNS = `
  id, org_id AS "orgId", message_id AS "messageId", attempt, device_id AS "deviceId", state,
  to_e164 AS "toE164", body, segments, requested_sim AS "requestedSim",
  sim_number AS "simNumber", preferred_device_id AS "preferredDeviceId",
  excluded_device_ids AS "excludedDeviceIds", valid_until AS "validUntil", priority,
  created_at AS "createdAt", handed_out_at AS "handedOutAt",
  cancel_requested AS "cancelRequested"`;

/** States in which a message is still open (not final). */
const OPEN_STATES = `('POOLED', 'QUEUED', 'HANDED_OUT', 'PROCESSED')`;

export interface NewQueueRow {
  orgId: string;
  id: string;
  messageId: string;
  attempt: number;
  toE164: string;
  body: string;
  segments: number;
  encoding: string | null;
  requestedSim: number | null;
  preferredDeviceId: string | null;
  excludedDeviceIds: string[];
  validUntil: Date | null;
  priority: number;
  now: Date;
}

/** A final state the devices service decides itself (no device report). */
export type ServiceFinalState = 'FAILED' | 'EXPIRED' | 'CANCELED' | 'RELEASED';

/** A row as a state report leaves it (QueueRepository.reportedStatement). */
export interface ReportedRow {
  id: string;
  /** The last state reported. */
  state: Transition['state'];
  /** When the row reached each state the report moved it through. */
  at: Partial<Record<Transition['state'], Date>>;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * All SQL of device_messages, the queue: one row per dispatch attempt of a message, waiting in
 * the organization's pool (no device), queued for a device, handed out, or final. Every method
 * runs in the caller's tenant transaction.
 */
@Injectable()
export class QueueRepository {
  /**
   * A dispatch's new attempt in one statement: its row inserted POOLED unless the attempt has one
   * already (the same command again: `inserted` undefined), and the older attempts' open rows,
   * locked.
   */
  async insertNewAttempt(
    tx: EntityManager,
    row: NewQueueRow,
  ): Promise<{ inserted?: QueueRow; older: QueueRow[] }> {
    const found: (QueueRow & { isNew: boolean })[] = await tx.query(
      `WITH older AS (
         SELECT ${QUEUE_COLUMNS} FROM device_messages
          WHERE message_id = $3 AND attempt < $4 AND state IN ${OPEN_STATES}
          FOR UPDATE),
       inserted AS (
         INSERT INTO device_messages
           (org_id, id, message_id, attempt, state, to_e164, body, segments, encoding,
            requested_sim, preferred_device_id, excluded_device_ids, valid_until, priority,
            created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'POOLED', $5, $6, $7, $8, $9, $10, $11::uuid[], $12, $13, $14, $14)
         ON CONFLICT (org_id, message_id, attempt) DO NOTHING
         RETURNING ${QUEUE_COLUMNS})
       SELECT true AS "isNew", inserted.* FROM inserted
       UNION ALL
       SELECT false, older.* FROM older`,
      newRowValues(row),
    );
    const strip = ({ isNew: _, ...rest }: QueueRow & { isNew: boolean }): QueueRow => rest;
    return {
      inserted: found.filter((r) => r.isNew).map(strip)[0],
      older: found.filter((r) => !r.isNew).map(strip),
    };
  }

  /** Open rows of a message (all attempts, or those before `beforeAttempt`), locked. */
  openOfMessage(tx: EntityManager, messageId: string, beforeAttempt?: number): Promise<QueueRow[]> {
    return tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE message_id = $1 AND ($2::int IS NULL OR attempt < $2) AND state IN ${OPEN_STATES}
        FOR UPDATE`,
      [messageId, beforeAttempt ?? null],
    );
  }

  /** The device's queued rows in handout order. */
  queued(
    tx: EntityManager,
    deviceId: string,
    order: 'lifo' | 'fifo',
    limit: number,
  ): Promise<QueueRow[]> {
    return tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE device_id = $1 AND state = 'QUEUED'
        ORDER BY priority DESC, created_at ${order === 'fifo' ? 'ASC' : 'DESC'}, id
        LIMIT $2`,
      [deviceId, limit],
    );
  }

  /**
   * What a pull of the device needs, in one round trip: the rows it holds (handed out, or
   * processed and to be canceled; in handout order), its queued rows still valid (in `order`),
   * each at most `limit`, and its queued rows whose validity ended by `now`.
   */
  async forPull(
    tx: EntityManager,
    deviceId: string,
    order: 'lifo' | 'fifo',
    limit: number,
    now: Date,
  ): Promise<{ held: QueueRow[]; queued: QueueRow[]; expired: QueueRow[] }> {
    const queuedOrder = `priority DESC, created_at ${order === 'fifo' ? 'ASC' : 'DESC'}, id`;
    const found: (QueueRow & { pullPart: number; pullRank: string })[] = await tx.query(
      `SELECT * FROM (
         (SELECT 0 AS "pullPart", row_number() OVER (ORDER BY handed_out_at, id) AS "pullRank",
                 ${QUEUE_COLUMNS}
            FROM device_messages
           WHERE device_id = $1
             AND (state = 'HANDED_OUT' OR (state = 'PROCESSED' AND cancel_requested))
           ORDER BY handed_out_at, id LIMIT $2)
         UNION ALL
         (SELECT 1, row_number() OVER (ORDER BY ${queuedOrder}), ${QUEUE_COLUMNS}
            FROM device_messages
           WHERE device_id = $1 AND state = 'QUEUED' AND (valid_until IS NULL OR valid_until > $3)
           ORDER BY ${queuedOrder} LIMIT $2)
         UNION ALL
         (SELECT 2, 0, ${QUEUE_COLUMNS}
            FROM device_messages
           WHERE device_id = $1 AND state = 'QUEUED' AND valid_until <= $3)
       ) pull ORDER BY "pullPart", "pullRank"`,
      [deviceId, limit, now],
    );
    const parts: [QueueRow[], QueueRow[], QueueRow[]] = [[], [], []];
    for (const { pullPart, pullRank: _rank, ...row } of found) parts[pullPart].push(row);
    return { held: parts[0], queued: parts[1], expired: parts[2] };
  }

  /** Handouts of the device since `since` (pacing's history). */
  async handoutsSince(tx: EntityManager, deviceId: string, since: Date): Promise<HandoutRecord[]> {
    return tx.query(
      `SELECT handed_out_at AS at, segments, sim_number AS "simNumber"
         FROM device_messages WHERE device_id = $1 AND handed_out_at > $2`,
      [deviceId, since],
    );
  }

  async markHandedOut(tx: EntityManager, ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      `UPDATE device_messages SET state = 'HANDED_OUT', handed_out_at = $2, updated_at = $2
        WHERE id = ANY($1::uuid[])`,
      [ids, now],
    );
  }

  /** The latest attempt the device had of each of these messages, locked. */
  latestOfDevice(tx: EntityManager, deviceId: string, messageIds: string[]): Promise<QueueRow[]> {
    return tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE id IN (SELECT DISTINCT ON (message_id) id FROM device_messages
                      WHERE device_id = $1 AND message_id = ANY($2::text[])
                      ORDER BY message_id, attempt DESC)
        FOR UPDATE`,
      [deviceId, messageIds],
    );
  }

  /**
   * The UPDATE that writes a state report's rows, one statement for all of them, not run:
   * HandoutService runs it together with the report's events and the device's counters
   * (runTogether). Each row gets its last reported state and the time of every state it passed.
   */
  reportedStatement(reported: readonly ReportedRow[], now: Date): SqlStatement | undefined {
    if (reported.length === 0) return undefined;
    const column = (state: ReportedRow['state']) => reported.map((r) => r.at[state] ?? null);
    return {
      text: `UPDATE device_messages m
                SET state = r.state, updated_at = $2,
                    processed_at = COALESCE(r.processed_at, m.processed_at),
                    sent_at = COALESCE(r.sent_at, m.sent_at),
                    delivered_at = COALESCE(r.delivered_at, m.delivered_at),
                    failed_at = COALESCE(r.failed_at, m.failed_at),
                    canceled_at = COALESCE(r.canceled_at, m.canceled_at),
                    error_code = COALESCE(r.error_code, m.error_code),
                    error_message = COALESCE(r.error_message, m.error_message),
                    body = CASE WHEN r.state IN ('DELIVERED', 'FAILED', 'CANCELED') THEN '' ELSE m.body END
               FROM unnest($1::uuid[], $3::text[], $4::timestamptz[], $5::timestamptz[],
                           $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::text[],
                           $10::text[])
                    AS r (id, state, processed_at, sent_at, delivered_at, failed_at, canceled_at,
                          error_code, error_message)
              WHERE m.id = r.id`,
      values: [
        reported.map((r) => r.id),
        now,
        reported.map((r) => r.state),
        column('PROCESSED'),
        column('SENT'),
        column('DELIVERED'),
        column('FAILED'),
        column('CANCELED'),
        reported.map((r) => r.errorCode),
        reported.map((r) => r.errorMessage),
      ],
    };
  }

  /** Ends a row in a state the service decides; the body is cleared. */
  async finish(
    tx: EntityManager,
    id: string,
    state: ServiceFinalState,
    now: Date,
    errorCode: string | null = null,
  ): Promise<void> {
    const column = {
      FAILED: 'failed_at',
      EXPIRED: 'expired_at',
      CANCELED: 'canceled_at',
      RELEASED: 'released_at',
    }[state];
    await tx.query(
      `UPDATE device_messages SET state = $2, ${column} = $3, updated_at = $3, body = '',
              error_code = COALESCE($4, error_code)
        WHERE id = $1`,
      [id, state, now, errorCode],
    );
  }

  async requestCancel(tx: EntityManager, id: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE device_messages SET cancel_requested = true, updated_at = $2 WHERE id = $1`,
      [id, now],
    );
  }

  /**
   * The UPDATE that gives rows their devices (QUEUED), one statement for all of them, not run:
   * AssignmentService runs it together with the rest of an assignment (runTogether).
   */
  assignStatement(
    assignments: readonly { id: string; deviceId: string; simNumber: number | null }[],
    now: Date,
  ): SqlStatement {
    return {
      text: `UPDATE device_messages m SET state = 'QUEUED', device_id = a.device_id,
                    sim_number = a.sim_number, assigned_at = $4, updated_at = $4
               FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS a (id, device_id, sim_number)
              WHERE m.id = a.id`,
      values: [
        assignments.map((a) => a.id),
        assignments.map((a) => a.deviceId),
        assignments.map((a) => a.simNumber),
        now,
      ],
    };
  }

  /** Pooled rows still valid, in pool order, locked (others skip them). */
  pooled(tx: EntityManager, now: Date, limit: number): Promise<QueueRow[]> {
    return tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE state = 'POOLED' AND (valid_until IS NULL OR valid_until > $1)
        ORDER BY priority DESC, created_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
  }

  /** Pooled rows (no device yet), oldest first, locked. */
  allPooled(tx: EntityManager): Promise<QueueRow[]> {
    return tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages WHERE state = 'POOLED'
        ORDER BY created_at, id FOR UPDATE`,
    );
  }

  /** Rows of the device in these states, oldest first, locked. */
  ofDevice(tx: EntityManager, deviceId: string, states: string[]): Promise<QueueRow[]> {
    return tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE device_id = $1 AND state = ANY($2::text[])
        ORDER BY created_at, id
        FOR UPDATE`,
      [deviceId, states],
    );
  }

  /** Waiting rows (pooled or queued) whose validity ended become EXPIRED; returns them. */
  expireDue(tx: EntityManager, now: Date): Promise<QueueRow[]> {
    return rows<QueueRow>(
      tx,
      `UPDATE device_messages SET state = 'EXPIRED', expired_at = $1, updated_at = $1, body = ''
        WHERE state IN ('POOLED', 'QUEUED') AND valid_until IS NOT NULL AND valid_until <= $1
        RETURNING ${QUEUE_COLUMNS}`,
      [now],
    );
  }

  /** Handed-out rows not reported since `before`, marked timed out once; returns their devices. */
  markTimedOut(tx: EntityManager, before: Date): Promise<{ id: string; deviceId: string }[]> {
    return rows(
      tx,
      `UPDATE device_messages SET timed_out = true
        WHERE state = 'HANDED_OUT' AND NOT timed_out AND handed_out_at < $1
        RETURNING id, device_id AS "deviceId"`,
      [before],
    );
  }

  /** Messages assigned to each device and not sent yet (queued, handed out, processed). */
  async depths(tx: EntityManager, deviceIds: string[]): Promise<Map<string, number>> {
    if (deviceIds.length === 0) return new Map();
    const found: { deviceId: string; n: number }[] = await tx.query(
      `SELECT device_id AS "deviceId", count(*)::int AS n FROM device_messages
        WHERE device_id = ANY($1::uuid[]) AND state IN ('QUEUED', 'HANDED_OUT', 'PROCESSED')
        GROUP BY device_id`,
      [deviceIds],
    );
    return new Map(found.map((r) => [r.deviceId, r.n]));
  }

  /** The organization's devices as selection candidates, with their current load. */
  async candidates(tx: EntityManager, windowStart: Date, dayStart: Date): Promise<Candidate[]> {
    const found: {
      id: string;
      connected: boolean;
      enabled: boolean;
      quarantined: boolean;
      rate: number;
      dailyLimit: number | null;
      simPolicy: SimPolicy;
      lastAssignedAt: Date | null;
      sims: number[] | null;
      backlog: string;
      windowSegments: string;
      daily: Record<string, string> | null;
    }[] = await tx.query(
      `SELECT d.id, d.connected, d.approved AND d.enabled AS enabled,
              d.quarantined_at IS NOT NULL AS quarantined,
              d.send_rate_per_minute AS rate, d.daily_limit AS "dailyLimit",
              d.sim_policy AS "simPolicy", d.last_assigned_at AS "lastAssignedAt",
              (SELECT array_agg(s.slot ORDER BY s.slot) FROM sims s WHERE s.device_id = d.id) AS sims,
              (SELECT COALESCE(sum(m.segments), 0) FROM device_messages m
                WHERE m.device_id = d.id AND m.state = 'QUEUED') AS backlog,
              (SELECT COALESCE(sum(m.segments), 0) FROM device_messages m
                WHERE m.device_id = d.id AND m.handed_out_at > $1) AS "windowSegments",
              (SELECT json_object_agg(x.slot, x.n) FROM (
                  SELECT COALESCE(m.sim_number, 0) AS slot, sum(m.segments) AS n
                    FROM device_messages m
                   WHERE m.device_id = d.id AND (m.handed_out_at > $2 OR m.state = 'QUEUED')
                   GROUP BY 1) x) AS daily
         FROM devices d
        WHERE d.removed_at IS NULL`,
      [windowStart, dayStart],
    );
    return found.map((r) => ({
      id: r.id,
      online: r.connected,
      enabled: r.enabled,
      quarantined: r.quarantined,
      rate: r.rate,
      dailyLimit: r.dailyLimit,
      simPolicy: r.simPolicy,
      sims: r.sims ?? [],
      backlogSegments: Number(r.backlog),
      windowSegments: Number(r.windowSegments),
      dailySegments: new Map(Object.entries(r.daily ?? {}).map(([k, v]) => [Number(k), Number(v)])),
      lastAssignedAt: r.lastAssignedAt?.getTime() ?? 0,
    }));
  }
}

/** A new row's parameters, $1–$14 of its INSERT. */
function newRowValues(row: NewQueueRow): unknown[] {
  return [
    row.orgId,
    row.id,
    row.messageId,
    row.attempt,
    row.toE164,
    row.body,
    row.segments,
    row.encoding,
    row.requestedSim,
    row.preferredDeviceId,
    row.excludedDeviceIds,
    row.validUntil,
    row.priority,
    row.now,
  ];
}
