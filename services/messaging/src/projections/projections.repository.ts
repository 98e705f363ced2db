import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  quotaProjectionOf,
  quotaProjectionSubquery,
  type QuotaProjection,
} from '@switchboard/quota';
import { matchesMaskedNumber } from '../domain/phone-number';

import { policyFromRow, suppressionFromRow } from './compliance-projections.repository';
import type {
  DeviceProjection,
  OrganizationPolicyProjection,
  OrganizationProjection,
  SimProjection,
  SuppressionProjection,
} from './projection.record';

export type { DeviceProjection, OrganizationProjection, SimProjection };

/** What the send path reads about the organization, in one statement (findSendFacts). */
export interface SendFacts {
  organization: OrganizationProjection | undefined;
  hasRoutes: boolean;
  /** null: compliance published no policy; undefined: not read. */
  compliancePolicy?: OrganizationPolicyProjection | null;
  /** Billing's quota projection, read without a lock: null: none published; undefined: not read. */
  quota?: QuotaProjection | null;
  /** The suppression state of the number asked for (`state` undefined: none stored). */
  suppression?: { phoneNumber: string; state: SuppressionProjection | undefined };
}

type Row = Record<string, unknown>;

const deviceFromRow = (row: Row): DeviceProjection => ({
  deviceId: row.device_id as string,
  name: row.name as string,
  status: row.status as string,
  sims: (row.sims as SimProjection[]) ?? [],
  removed: row.removed_at != null,
});

const organizationFromRow = (row: Row): OrganizationProjection => ({
  orgId: row.org_id as string,
  slug: row.slug as string,
  name: row.name as string,
  timezone: (row.timezone as string | null) ?? null,
  status: row.status as string,
  defaultCountry: (row.default_country as string | null) || null,
});

/**
 * The local projections of other services' data (SPEC §1: no synchronous calls on the send
 * path). Writes are versioned by the event's time, so a replayed or reordered older event
 * never overwrites a newer state.
 */
@Injectable()
export class ProjectionsRepository {
  async findOrganization(
    tx: EntityManager,
    orgId: string,
  ): Promise<OrganizationProjection | undefined> {
    const rows: Row[] = await tx.query(
      `SELECT org_id, slug, name, timezone, status, default_country FROM organizations WHERE org_id = $1`,
      [orgId],
    );
    const row = rows[0];
    return row ? organizationFromRow(row) : undefined;
  }

  /**
   * The send path's organization facts in one round trip (issue 17): the organization
   * (undefined before accounts published it), whether it has any route (row-level security: its
   * own) — without routes the router takes the implicit device pool and need not read them —
   * and compliance's policy for it (null: none published, the platform defaults apply). With
   * `quota`, billing's quota projection too (libs/quota, without a lock: a single send's check
   * reads it so; a batch chunk's inputs read it each, after the ones before took theirs). With
   * `suppressionOf` (an E.164 number), compliance's suppression state of that number too (as
   * ComplianceProjectionsRepository.findSuppression reads it).
   */
  async findSendFacts(
    tx: EntityManager,
    orgId: string,
    options: { quota?: boolean; suppressionOf?: string } = {},
  ): Promise<SendFacts> {
    const number = options.suppressionOf;
    const rows: Row[] = await tx.query(
      `SELECT o.org_id, o.slug, o.name, o.timezone, o.status, o.default_country,
         EXISTS (SELECT 1 FROM routes) AS has_routes,
         (SELECT to_jsonb(p) || jsonb_build_object('version', p.version::text)
          FROM organization_policies p WHERE p.org_id = $1) AS policy
         ${options.quota ? `, ${quotaProjectionSubquery('$1')} AS quota` : ''}
         ${
           number
             ? `, (SELECT to_jsonb(s) || jsonb_build_object('version', s.version::text)
                 FROM suppression_states s WHERE s.org_id = $1 AND s.phone_number = $2) AS suppression`
             : ''
         }
       FROM (SELECT 1) AS one LEFT JOIN organizations o ON o.org_id = $1`,
      number ? [orgId, number] : [orgId],
    );
    const row = rows[0];
    return {
      organization: row?.org_id ? organizationFromRow(row) : undefined,
      hasRoutes: row?.has_routes !== false,
      compliancePolicy: row ? (row.policy ? policyFromRow(row.policy as Row) : null) : undefined,
      ...(options.quota && row ? { quota: quotaProjectionOf(row.quota) } : {}),
      ...(number && row
        ? {
            suppression: {
              phoneNumber: number,
              state: row.suppression ? suppressionFromRow(row.suppression as Row) : undefined,
            },
          }
        : {}),
    };
  }

  async upsertOrganization(
    tx: EntityManager,
    org: OrganizationProjection,
    versionAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO organizations (org_id, slug, name, timezone, status, default_country, version_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (org_id) DO UPDATE SET slug = EXCLUDED.slug, name = EXCLUDED.name,
         timezone = EXCLUDED.timezone, status = EXCLUDED.status,
         default_country = EXCLUDED.default_country, version_at = EXCLUDED.version_at, updated_at = now()
       WHERE organizations.version_at <= EXCLUDED.version_at`,
      [org.orgId, org.slug, org.name, org.timezone, org.status, org.defaultCountry, versionAt],
    );
  }

  /** Status-only changes (deletion scheduled/canceled), for an organization known or not. */
  async setOrganizationStatus(
    tx: EntityManager,
    orgId: string,
    status: string,
    versionAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO organizations (org_id, slug, name, status, version_at) VALUES ($1, '', '', $2, $3)
       ON CONFLICT (org_id) DO UPDATE SET status = EXCLUDED.status, version_at = EXCLUDED.version_at,
         updated_at = now()
       WHERE organizations.version_at <= EXCLUDED.version_at`,
      [orgId, status, versionAt],
    );
  }

  /** The organization was purged: everything messaging holds for it goes. */
  async deleteOrganizationData(tx: EntityManager, orgId: string): Promise<void> {
    for (const table of [
      'campaigns', // before the lists they name
      'contact_imports', // with their reports
      'contact_list_members',
      'contact_lists',
      'contacts',
      'messages', // with their route attempts (ON DELETE CASCADE)
      'conversations',
      'idempotency_keys',
      'devices',
      'organizations',
      'routes', // with their daily usage
      'carrier_accounts', // with their numbers and sticky senders
      'carrier_sends',
      'carrier_callback_receipts',
    ]) {
      await tx.query(`DELETE FROM ${table} WHERE org_id = $1`, [orgId]);
    }
    await tx.query(`DELETE FROM scheduled_jobs WHERE tenant_id = $1`, [orgId]);
    await tx.query(`DELETE FROM campaign_run_queue WHERE tenant_id = $1`, [orgId]);
    await tx.query(`DELETE FROM carrier_dispatch_queue WHERE tenant_id = $1`, [orgId]);
    // Only the id stays, so the organization's phones are not taken for an unknown tenant's.
    await tx.query(
      `INSERT INTO purged_organizations (org_id, purged_at) VALUES ($1, now()) ON CONFLICT DO NOTHING`,
      [orgId],
    );
  }

  /** Whether accounts purged the organization (its data is gone here). */
  async isPurged(tx: EntityManager, orgId: string): Promise<boolean> {
    const rows: Row[] = await tx.query(`SELECT 1 FROM purged_organizations WHERE org_id = $1`, [
      orgId,
    ]);
    return rows.length > 0;
  }

  async findDevice(tx: EntityManager, deviceId: string): Promise<DeviceProjection | undefined> {
    const rows: Row[] = await tx.query(
      `SELECT device_id, name, status, sims, removed_at FROM devices WHERE device_id = $1`,
      [deviceId],
    );
    return rows[0] ? deviceFromRow(rows[0]) : undefined;
  }

  /** The organization's (not removed) device SIMs whose masked number fits `e164`. */
  async findSimsByNumber(
    tx: EntityManager,
    e164: string,
  ): Promise<{ deviceId: string; slot: number; status: string }[]> {
    const rows: Row[] = await tx.query(
      `SELECT device_id, name, status, sims, removed_at FROM devices WHERE removed_at IS NULL
        ORDER BY (status = 'ONLINE') DESC, device_id`,
    );
    return rows
      .map(deviceFromRow)
      .flatMap((device) =>
        device.sims
          .filter((sim) => matchesMaskedNumber(e164, sim.maskedNumber))
          .map((sim) => ({ deviceId: device.deviceId, slot: sim.slot, status: device.status })),
      );
  }

  async upsertDevice(
    tx: EntityManager,
    orgId: string,
    device: { deviceId: string; name?: string; status?: string; sims?: SimProjection[] },
    versionAt: Date,
    /** A registration: a device removed before is back. */
    registered = false,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO devices (org_id, device_id, name, status, sims, version_at)
       VALUES ($1, $2, COALESCE($3, ''), COALESCE($4, 'UNSPECIFIED'), COALESCE($5::jsonb, '[]'), $6)
       ON CONFLICT (device_id) DO UPDATE SET
         name = COALESCE($3, devices.name), status = COALESCE($4, devices.status),
         sims = COALESCE($5::jsonb, devices.sims), version_at = EXCLUDED.version_at, updated_at = now(),
         removed_at = CASE WHEN $7 THEN NULL ELSE devices.removed_at END
       WHERE devices.version_at <= EXCLUDED.version_at`,
      [
        orgId,
        device.deviceId,
        device.name ?? null,
        device.status ?? null,
        device.sims ? JSON.stringify(device.sims) : null,
        versionAt,
        registered,
      ],
    );
  }

  async removeDevice(
    tx: EntityManager,
    orgId: string,
    deviceId: string,
    versionAt: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO devices (org_id, device_id, status, removed_at, version_at)
       VALUES ($1, $2, 'REMOVED', $3, $3)
       ON CONFLICT (device_id) DO UPDATE SET removed_at = EXCLUDED.removed_at, status = 'REMOVED',
         version_at = EXCLUDED.version_at, updated_at = now()
       WHERE devices.version_at <= EXCLUDED.version_at`,
      [orgId, deviceId, versionAt],
    );
  }
}
