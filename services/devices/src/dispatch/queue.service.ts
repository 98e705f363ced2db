import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { rows as returnedRows } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceEventsWriter, type MessageRef } from '../common/device-events.writer';
import { DAY_MS } from '../domain/pacing';
import {
  chooseDevice,
  type Candidate,
  type DispatchRequest,
  type SimPolicy,
} from '../domain/selection';
import type { QueueState } from '../domain/message-states';
import { DeviceWakeups } from '../presence/device-wakeups';

/** A row of device_messages, as the services use it. */
export interface QueueRow {
  id: string;
  orgId: string;
  messageId: string;
  attempt: number;
  deviceId: string | null;
  state: QueueState;
  toE164: string;
  body: string;
  segments: number;
  requestedSim: number | null;
  simNumber: number | null;
  preferredDeviceId: string | null;
  excludedDeviceIds: string[];
  validUntil: Date | null;
  priority: number;
  createdAt: Date;
  handedOutAt: Date | null;
  cancelRequested: boolean;
}

export const QUEUE_COLUMNS = `
  id, org_id AS "orgId", message_id AS "messageId", attempt, device_id AS "deviceId", state,
  to_e164 AS "toE164", body, segments, requested_sim AS "requestedSim",
  sim_number AS "simNumber", preferred_device_id AS "preferredDeviceId",
  excluded_device_ids AS "excludedDeviceIds", valid_until AS "validUntil", priority,
  created_at AS "createdAt", handed_out_at AS "handedOutAt",
  cancel_requested AS "cancelRequested"`;

export function refOf(row: QueueRow): MessageRef {
  return {
    messageId: row.messageId,
    orgId: row.orgId,
    deviceId: row.deviceId,
    attempt: row.attempt,
    simNumber: row.simNumber,
  };
}

/**
 * The queue operations everything else builds on: choosing devices for waiting messages,
 * releasing a device's queue, expiring. All run in the caller's tenant transaction and write
 * their events to the outbox there.
 */
@Injectable()
export class QueueService {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly clock: Clock,
    private readonly events: DeviceEventsWriter,
    private readonly wakeups: DeviceWakeups,
  ) {}

  /** The organization's devices as selection candidates, with their current load. */
  async candidates(tx: EntityManager, now: Date): Promise<Candidate[]> {
    const windowStart = new Date(now.getTime() - this.config.PACING_WINDOW_MS);
    const dayStart = new Date(now.getTime() - DAY_MS);
    const rows: {
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
      `SELECT d.id, d.connected, d.enabled, d.quarantined_at IS NOT NULL AS quarantined,
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
    return rows.map((r) => ({
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

  /**
   * Tries to give each row (new or pooled, in order) a device; assigned rows become QUEUED
   * with a DISPATCHED event and a wake-up, the others stay (or become) POOLED. Candidates are
   * updated as rows are assigned, so a burst spreads over the fleet.
   */
  async assign(tx: EntityManager, rows: QueueRow[], candidates?: Candidate[]): Promise<number> {
    if (rows.length === 0) return 0;
    const now = this.clock.now();
    const fleet = candidates ?? (await this.candidates(tx, now));
    const woken = new Set<string>();
    let assigned = 0;
    for (const row of rows) {
      const request: DispatchRequest = {
        segments: row.segments,
        preferredDeviceId: row.preferredDeviceId ?? undefined,
        simNumber: row.requestedSim ?? undefined,
        excludedDeviceIds: row.excludedDeviceIds,
      };
      const choice = chooseDevice(fleet, request, {
        maxBacklogWindows: this.config.MAX_QUEUE_WINDOWS,
      });
      if (!choice) continue;
      await tx.query(
        `UPDATE device_messages SET state = 'QUEUED', device_id = $2, sim_number = $3,
                assigned_at = $4, updated_at = $4
          WHERE id = $1`,
        [row.id, choice.deviceId, choice.simNumber, now],
      );
      await tx.query(`UPDATE devices SET last_assigned_at = $2 WHERE id = $1`, [
        choice.deviceId,
        now,
      ]);
      const candidate = fleet.find((c) => c.id === choice.deviceId)!;
      candidate.backlogSegments += row.segments;
      candidate.lastAssignedAt = now.getTime();
      const slot = choice.simNumber ?? 0;
      (candidate.dailySegments as Map<number, number>).set(
        slot,
        (candidate.dailySegments.get(slot) ?? 0) + row.segments,
      );
      await this.events.messageState(
        tx,
        { ...refOf(row), deviceId: choice.deviceId, simNumber: choice.simNumber },
        'DISPATCHED',
        { at: now },
      );
      if (!woken.has(choice.deviceId)) {
        woken.add(choice.deviceId);
        await this.wakeups.notify(tx, choice.deviceId);
      }
      assigned++;
    }
    return assigned;
  }

  /** Gives pooled messages of the organization to devices that can take them now. */
  async assignPool(tx: EntityManager, limit = 500): Promise<number> {
    const pooled: QueueRow[] = await tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE state = 'POOLED' AND (valid_until IS NULL OR valid_until > $1)
        ORDER BY priority DESC, created_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [this.clock.now(), limit],
    );
    return this.assign(tx, pooled);
  }

  /**
   * Releases what the device holds and has not sent: queued and handed-out messages become
   * RELEASED (messaging re-dispatches them elsewhere or fails them); those it was asked to
   * cancel become CANCELED. A message the phone already PROCESSED (handed to Android) is left
   * to the phone's report — releasing it could send it twice — unless `includeProcessed`
   * (the device was removed: it will never report).
   */
  async releaseDevice(
    tx: EntityManager,
    deviceId: string,
    reason: string,
    options: { includeProcessed?: boolean } = {},
  ): Promise<number> {
    const now = this.clock.now();
    const states = options.includeProcessed
      ? ['QUEUED', 'HANDED_OUT', 'PROCESSED']
      : ['QUEUED', 'HANDED_OUT'];
    const rows: QueueRow[] = await tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE device_id = $1 AND state = ANY($2::text[])
        ORDER BY created_at, id
        FOR UPDATE`,
      [deviceId, states],
    );
    for (const row of rows) {
      if (row.cancelRequested) {
        await tx.query(
          `UPDATE device_messages SET state = 'CANCELED', canceled_at = $2, updated_at = $2,
                  body = '' WHERE id = $1`,
          [row.id, now],
        );
        await this.events.messageState(tx, refOf(row), 'CANCELED', { at: now, reason });
      } else {
        await tx.query(
          `UPDATE device_messages SET state = 'RELEASED', released_at = $2, updated_at = $2,
                  body = '' WHERE id = $1`,
          [row.id, now],
        );
        await this.events.messageState(tx, refOf(row), 'RELEASED', { at: now, reason });
      }
    }
    return rows.length;
  }

  /** Waiting messages whose validity ended become EXPIRED. */
  async expireDue(tx: EntityManager): Promise<number> {
    const now = this.clock.now();
    const rows = await returnedRows<QueueRow>(
      tx,
      `UPDATE device_messages SET state = 'EXPIRED', expired_at = $1, updated_at = $1, body = ''
        WHERE state IN ('POOLED', 'QUEUED') AND valid_until IS NOT NULL AND valid_until <= $1
        RETURNING ${QUEUE_COLUMNS}`,
      [now],
    );
    for (const row of rows) {
      await this.events.messageState(tx, refOf(row), 'EXPIRED', {
        at: now,
        reason: 'valid_until passed before a device took it',
      });
    }
    return rows.length;
  }
}
