import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlRunner } from '@switchboard/events';
import { CREDENTIAL_SETTING } from '../common/credential-setting';
import type { SimPolicy } from '../domain/selection';

export interface DeviceRow {
  id: string;
  orgId: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  appVersion: string | null;
  pushToken: string | null;
  connected: boolean;
  enabled: boolean;
  quarantinedAt: Date | null;
  quarantineReason: string | null;
  sendRatePerMinute: number;
  dailyLimit: number | null;
  simPolicy: SimPolicy;
  lastSeenAt: Date;
  offlineSince: Date | null;
  healthScore: number;
  consecutiveFailures: number;
  outcomes: number;
  sentCount: number;
  deliveredCount: number;
  failedCount: number;
  webhookSigningKey: string;
  createdAt: Date;
  removedAt: Date | null;
}

export interface SimRow {
  deviceId: string;
  slot: number;
  slotIndex: number;
  carrierName: string | null;
  maskedNumber: string | null;
}

export const DEVICE_COLUMNS = `
  d.id, d.org_id AS "orgId", d.name, d.manufacturer, d.model, d.app_version AS "appVersion",
  d.push_token AS "pushToken", d.connected, d.enabled, d.quarantined_at AS "quarantinedAt",
  d.quarantine_reason AS "quarantineReason", d.send_rate_per_minute AS "sendRatePerMinute",
  d.daily_limit AS "dailyLimit", d.sim_policy AS "simPolicy", d.last_seen_at AS "lastSeenAt",
  d.offline_since AS "offlineSince", d.health_score AS "healthScore",
  d.consecutive_failures AS "consecutiveFailures", d.outcomes,
  d.sent_count::int AS "sentCount", d.delivered_count::int AS "deliveredCount",
  d.failed_count::int AS "failedCount", d.webhook_signing_key AS "webhookSigningKey",
  d.created_at AS "createdAt", d.removed_at AS "removedAt"`;

/** What a credential lookup finds: the subject and its organization. */
export interface CredentialMatch {
  orgId: string;
  subjectId: string;
  expiresAt: Date | null;
}

/** SQL of the fleet tables. Everything but `findCredential` runs in a tenant transaction. */
@Injectable()
export class FleetRepository {
  /**
   * Finds a credential by its token hash, before any tenant is known: the lookup sets the
   * hash as `app.credential_hash`, which is what the credential_holder policy admits (see the
   * migration). Must run inside a transaction (the setting is transaction-local).
   */
  async findCredential(
    tx: SqlRunner,
    hash: Buffer,
    kind: 'enrollment' | 'device',
  ): Promise<CredentialMatch | undefined> {
    await tx.query(`SELECT set_config('${CREDENTIAL_SETTING}', $1, true)`, [hash.toString('hex')]);
    const rows = (await tx.query(
      `SELECT org_id AS "orgId", subject_id AS "subjectId", expires_at AS "expiresAt"
         FROM credentials WHERE token_hash = $1 AND kind = $2`,
      [hash, kind],
    )) as CredentialMatch[];
    return rows[0];
  }

  async addCredential(
    tx: SqlRunner,
    orgId: string,
    hash: Buffer,
    kind: 'enrollment' | 'device',
    subjectId: string,
    expiresAt: Date | null,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO credentials (org_id, token_hash, kind, subject_id, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [orgId, hash, kind, subjectId, expiresAt],
    );
  }

  async deleteCredentials(tx: SqlRunner, subjectId: string): Promise<void> {
    await tx.query(`DELETE FROM credentials WHERE subject_id = $1`, [subjectId]);
  }

  async registerTenant(tx: SqlRunner, orgId: string): Promise<void> {
    await tx.query(`INSERT INTO tenants (id) VALUES ($1) ON CONFLICT DO NOTHING`, [orgId]);
  }

  async device(
    tx: EntityManager,
    id: string,
    options: { lock?: boolean; includeRemoved?: boolean } = {},
  ): Promise<DeviceRow | undefined> {
    const rows: DeviceRow[] = await tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.id = $1 ${options.includeRemoved ? '' : 'AND d.removed_at IS NULL'}
        ${options.lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0];
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
    sims: Omit<SimRow, 'deviceId'>[],
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

  /** Messages assigned to each device and not sent yet (queued, handed out, processed). */
  async queueDepths(tx: EntityManager, deviceIds: string[]): Promise<Map<string, number>> {
    if (deviceIds.length === 0) return new Map();
    const rows: { deviceId: string; n: number }[] = await tx.query(
      `SELECT device_id AS "deviceId", count(*)::int AS n FROM device_messages
        WHERE device_id = ANY($1::uuid[]) AND state IN ('QUEUED', 'HANDED_OUT', 'PROCESSED')
        GROUP BY device_id`,
      [deviceIds],
    );
    return new Map(rows.map((r) => [r.deviceId, r.n]));
  }
}
