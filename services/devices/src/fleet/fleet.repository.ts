import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { row, withReturning, type SqlStatement } from '@switchboard/tenancy';
import type { DeviceStatus } from '../domain/device-status';
import type { Health } from '../domain/health';
import type { SimPolicy } from '../domain/selection';
import type { DeviceRow, DeviceSettingsRecord, DeviceSim, SimRow } from './device.record';

const DEVICE_COLUMNS = `
  d.id, d.org_id AS "orgId", d.name, d.manufacturer, d.model, d.app_version AS "appVersion",
  d.push_token AS "pushToken", d.connected, d.approved, d.enabled, d.quarantined_at AS "quarantinedAt",
  d.quarantine_reason AS "quarantineReason", d.send_rate_per_minute AS "sendRatePerMinute",
  d.daily_limit AS "dailyLimit", d.sim_policy AS "simPolicy", d.last_seen_at AS "lastSeenAt",
  d.offline_since AS "offlineSince", d.health_score AS "healthScore",
  d.consecutive_failures AS "consecutiveFailures", d.outcomes,
  d.sent_count::int AS "sentCount", d.delivered_count::int AS "deliveredCount",
  d.failed_count::int AS "failedCount", d.webhook_signing_key AS "webhookSigningKey",
  d.created_at AS "createdAt", d.removed_at AS "removedAt"`;

const STATUS_SQL = `CASE WHEN NOT d.approved THEN 'PENDING_APPROVAL'
                         WHEN NOT d.enabled THEN 'DISABLED'
                         WHEN d.quarantined_at IS NOT NULL THEN 'QUARANTINED'
                         WHEN d.connected THEN 'ONLINE' ELSE 'OFFLINE' END`;

export interface NewDevice {
  orgId: string;
  id: string;
  enrollmentId: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  appVersion: string | null;
  pushToken: string | null;
  approved: boolean;
  sendRatePerMinute: number;
  sealedSigningKey: string;
  now: Date;
}

/** The facts a device's status derives from, as changeFacts writes them. */
export interface StatusFactsChange {
  approved: boolean;
  connected: boolean;
  enabled: boolean;
  quarantinedAt: Date | null;
  quarantineReason: string | null;
  /** A quarantine was lifted: the health counters start again. */
  lifted: boolean;
  now: Date;
}

export interface DeviceSettings {
  sendRatePerMinute: number | null;
  /** undefined: unchanged; null: no cap. */
  dailyLimit: number | null | undefined;
  simPolicy: SimPolicy | null;
  now: Date;
}

/** SQL of the fleet tables (devices, sims, device_settings), in a tenant transaction. */
@Injectable()
export class FleetRepository {
  /** The organization's devices (not removed), locked. */
  active(tx: EntityManager): Promise<DeviceRow[]> {
    return tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d WHERE d.removed_at IS NULL ORDER BY d.id FOR UPDATE`,
    );
  }

  async device(
    tx: EntityManager,
    id: string,
    options: { lock?: boolean; includeRemoved?: boolean } = {},
  ): Promise<DeviceRow | undefined> {
    const found: DeviceRow[] = await tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.id = $1 ${options.includeRemoved ? '' : 'AND d.removed_at IS NULL'}
        ${options.lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return found[0];
  }

  /**
   * What a phone's request is authenticated against, in one round trip: whether the
   * organization is closed, the device (not removed) and — when given — the tokens its API
   * limit's take (`take`, a TokenBucket upsert returning `tokens`) left. The take runs even when
   * the device is missing or the organization closed: the caller refuses those by throwing,
   * which rolls the take back.
   */
  async requestingDevice(
    tx: EntityManager,
    orgId: string,
    deviceId: string,
    take?: SqlStatement,
  ): Promise<{ organizationClosed: boolean; device?: DeviceRow; bucketTokens?: number }> {
    const main: SqlStatement = {
      text: `SELECT EXISTS (SELECT 1 FROM tenants t WHERE t.id = $1 AND t.closed_at IS NOT NULL) AS "organizationClosed",
                    ${take ? '(SELECT tokens FROM taken)' : 'NULL::float8'} AS "bucketTokens", ${DEVICE_COLUMNS}
               FROM (SELECT 1) one LEFT JOIN devices d ON d.id = $2 AND d.removed_at IS NULL`,
      values: [orgId, deviceId],
    };
    const { text, values } = take ? withReturning('taken', take, main) : main;
    const found = await row<
      DeviceRow & { organizationClosed: boolean; bucketTokens: number | null }
    >(tx, text, values);
    if (!found) throw new Error('requestingDevice: no row'); // (SELECT 1) LEFT JOIN: always one
    const { organizationClosed, bucketTokens, ...device } = found;
    return {
      organizationClosed,
      device: device.id ? device : undefined,
      bucketTokens: bucketTokens ?? undefined,
    };
  }

  /** The organization's devices (not removed), filtered by status and name or model. */
  list(
    tx: EntityManager,
    filter: { status: DeviceStatus[] | null; search: string | null },
  ): Promise<DeviceRow[]> {
    return tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.removed_at IS NULL
          AND ($1::text[] IS NULL OR ${STATUS_SQL} = ANY($1::text[]))
          AND ($2::text IS NULL OR d.name ILIKE '%' || $2 || '%' OR d.model ILIKE '%' || $2 || '%')
        ORDER BY d.created_at, d.id
        LIMIT 1000`,
      [
        filter.status?.length ? filter.status : null,
        filter.search ? escapeLike(filter.search) : null,
      ],
    );
  }

  /** The devices (not removed) registered with an enrollment token. */
  byEnrollment(tx: EntityManager, enrollmentId: string): Promise<DeviceRow[]> {
    return tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.enrollment_id = $1 AND d.removed_at IS NULL ORDER BY d.created_at, d.id`,
      [enrollmentId],
    );
  }

  /** The organization's device settings (defaults when it never changed them). */
  async settings(tx: EntityManager): Promise<DeviceSettingsRecord> {
    const found: DeviceSettingsRecord[] = await tx.query(
      `SELECT require_approval_for_shared_enrollments AS "requireApprovalForSharedEnrollments"
         FROM device_settings`,
    );
    return found[0] ?? { requireApprovalForSharedEnrollments: true };
  }

  async saveSettings(
    tx: EntityManager,
    orgId: string,
    settings: DeviceSettingsRecord,
    now: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO device_settings (org_id, require_approval_for_shared_enrollments, updated_at)
       VALUES ($1, $2, $3)
       ON CONFLICT (org_id) DO UPDATE
         SET require_approval_for_shared_enrollments = EXCLUDED.require_approval_for_shared_enrollments,
             updated_at = EXCLUDED.updated_at`,
      [orgId, settings.requireApprovalForSharedEnrollments, now],
    );
  }

  async insert(tx: EntityManager, device: NewDevice): Promise<void> {
    await tx.query(
      `INSERT INTO devices (org_id, id, enrollment_id, name, manufacturer, model, app_version,
                            push_token, send_rate_per_minute, last_seen_at,
                            webhook_signing_key, approved, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $10, $10)`,
      [
        device.orgId,
        device.id,
        device.enrollmentId,
        device.name,
        device.manufacturer,
        device.model,
        device.appVersion,
        device.pushToken,
        device.sendRatePerMinute,
        device.now,
        device.sealedSigningKey,
        device.approved,
      ],
    );
  }

  async touchLastSeen(tx: EntityManager, id: string, now: Date): Promise<void> {
    await tx.query(`UPDATE devices SET last_seen_at = $2 WHERE id = $1`, [id, now]);
  }

  /**
   * A pull of the device (not removed): stamps `last_pull_at` and answers the device, its row
   * locked until the transaction ends (pulls, reports and the sweep of a device take turns).
   */
  async pulled(tx: EntityManager, id: string, at: Date): Promise<DeviceRow | undefined> {
    return row<DeviceRow>(
      tx,
      `UPDATE devices d SET last_pull_at = $2 WHERE d.id = $1 AND d.removed_at IS NULL
       RETURNING ${DEVICE_COLUMNS}`,
      [id, at],
    );
  }

  /** The UPDATE stamping devices as just given messages, not run (see assignStatement). */
  lastAssignedStatement(deviceIds: readonly string[], now: Date): SqlStatement {
    return {
      text: `UPDATE devices SET last_assigned_at = $2 WHERE id = ANY($1::uuid[])`,
      values: [deviceIds, now],
    };
  }

  async setPushToken(tx: EntityManager, id: string, pushToken: string | null, now: Date) {
    await tx.query(`UPDATE devices SET push_token = $2, updated_at = $3 WHERE id = $1`, [
      id,
      pushToken,
      now,
    ]);
  }

  async rename(tx: EntityManager, id: string, name: string, now: Date): Promise<void> {
    await tx.query(`UPDATE devices SET name = $2, updated_at = $3 WHERE id = $1`, [id, name, now]);
  }

  async updateSettings(tx: EntityManager, id: string, settings: DeviceSettings): Promise<void> {
    await tx.query(
      `UPDATE devices SET send_rate_per_minute = COALESCE($2, send_rate_per_minute),
              daily_limit = CASE WHEN $3 THEN $4 ELSE daily_limit END,
              sim_policy = COALESCE($5, sim_policy), updated_at = $6
        WHERE id = $1`,
      [
        id,
        settings.sendRatePerMinute,
        settings.dailyLimit !== undefined,
        settings.dailyLimit ?? null,
        settings.simPolicy,
        settings.now,
      ],
    );
  }

  async writeStatusFacts(tx: EntityManager, id: string, facts: StatusFactsChange): Promise<void> {
    await tx.query(
      `UPDATE devices
          SET connected = $2, enabled = $3, quarantined_at = $4, quarantine_reason = $5,
              approved = $8,
              offline_since = CASE WHEN $2 THEN NULL ELSE COALESCE(offline_since, $6) END,
              last_seen_at = CASE WHEN $2 AND NOT connected THEN $6 ELSE last_seen_at END,
              consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures END,
              health_score = CASE WHEN $7 THEN GREATEST(health_score, 50) ELSE health_score END,
              outcomes = CASE WHEN $7 THEN 0 ELSE outcomes END,
              updated_at = $6
        WHERE id = $1`,
      [
        id,
        facts.connected,
        facts.enabled,
        facts.quarantinedAt,
        facts.quarantineReason,
        facts.now,
        facts.lifted,
        facts.approved,
      ],
    );
  }

  async writeHealth(tx: EntityManager, id: string, health: Health): Promise<void> {
    await tx.query(
      `UPDATE devices SET health_score = $2, consecutive_failures = $3, outcomes = $4
        WHERE id = $1`,
      [id, health.score, health.consecutiveFailures, health.outcomes],
    );
  }

  /**
   * The UPDATE that counts a state report's outcomes (SENT, DELIVERED, FAILED) on the device and
   * writes its new health, not run (HandoutService runs it with the report's other writes); none
   * when the report changes neither.
   */
  reportedStatement(
    id: string,
    counted: { sent: number; delivered: number; failed: number },
    health: Health | null,
  ): SqlStatement | undefined {
    if (counted.sent + counted.delivered + counted.failed === 0 && !health) return undefined;
    return {
      text: `UPDATE devices
                SET sent_count = sent_count + $2, delivered_count = delivered_count + $3,
                    failed_count = failed_count + $4,
                    health_score = COALESCE($5, health_score),
                    consecutive_failures = COALESCE($6, consecutive_failures),
                    outcomes = COALESCE($7, outcomes)
              WHERE id = $1`,
      values: [
        id,
        counted.sent,
        counted.delivered,
        counted.failed,
        health?.score ?? null,
        health?.consecutiveFailures ?? null,
        health?.outcomes ?? null,
      ],
    };
  }

  async markRemoved(tx: EntityManager, id: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE devices SET removed_at = $2, enabled = false, updated_at = $2 WHERE id = $1`,
      [id, now],
    );
  }

  /** Connected devices not heard from since `before`, locked (others skip them). */
  silentSince(tx: EntityManager, before: Date): Promise<DeviceRow[]> {
    return tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.removed_at IS NULL AND d.connected AND d.last_seen_at < $1
        FOR UPDATE SKIP LOCKED`,
      [before],
    );
  }

  /** Devices offline since `before` that still hold queued or handed-out messages. */
  async offlineWithQueue(tx: EntityManager, before: Date): Promise<string[]> {
    const found: { id: string }[] = await tx.query(
      `SELECT d.id FROM devices d
        WHERE NOT d.connected AND d.offline_since <= $1
          AND EXISTS (SELECT 1 FROM device_messages m WHERE m.device_id = d.id
                        AND m.state IN ('QUEUED', 'HANDED_OUT'))`,
      [before],
    );
    return found.map((d) => d.id);
  }

  /** Devices in the pool with queued messages that have not pulled since `before`. */
  idleWithQueue(tx: EntityManager, before: Date): Promise<DeviceRow[]> {
    return tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.removed_at IS NULL AND d.connected AND d.approved AND d.enabled
          AND d.quarantined_at IS NULL
          AND (d.last_pull_at IS NULL OR d.last_pull_at < $1)
          AND EXISTS (SELECT 1 FROM device_messages m WHERE m.device_id = d.id AND m.state = 'QUEUED')`,
      [before],
    );
  }

  async sims(tx: EntityManager, deviceIds: string[]): Promise<SimRow[]> {
    if (deviceIds.length === 0) return [];
    return tx.query(
      `SELECT device_id AS "deviceId", slot, slot_index AS "slotIndex",
              carrier_name AS "carrierName", masked_number AS "maskedNumber"
         FROM sims WHERE device_id = ANY($1::uuid[]) ORDER BY device_id, slot`,
      [deviceIds],
    );
  }

  async replaceSims(
    tx: EntityManager,
    orgId: string,
    deviceId: string,
    sims: DeviceSim[],
  ): Promise<void> {
    await tx.query(`DELETE FROM sims WHERE device_id = $1`, [deviceId]);
    for (const sim of sims) {
      await tx.query(
        `INSERT INTO sims (org_id, device_id, slot, slot_index, carrier_name, masked_number)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device_id, slot) DO NOTHING`,
        [orgId, deviceId, sim.slot, sim.slotIndex, sim.carrierName, sim.maskedNumber],
      );
    }
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
