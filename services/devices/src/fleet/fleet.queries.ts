import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { inTenantTransaction } from '@switchboard/tenancy';
import type { DeviceStatus } from '../domain/device-status';
import type { SimPolicy } from '../domain/selection';
import { DEVICE_COLUMNS, FleetRepository, type DeviceRow } from './fleet.repository';
import { statusOf } from './fleet.service';

/** A device as the organization sees it (GraphQL `Device`). */
export interface DeviceView {
  id: string;
  name: string;
  manufacturer: string | null;
  model: string | null;
  appVersion: string | null;
  status: DeviceStatus;
  enabled: boolean;
  lastSeenAt: Date;
  sims: { slot: number; operator: string | null; maskedNumber: string | null }[];
  queueDepth: number;
  sentCount: number;
  deliveredCount: number;
  failedCount: number;
  healthScore: number;
  sendRatePerMinute: number;
  dailyLimit: number | null;
  simPolicy: SimPolicy;
  quarantineReason: string | null;
  createdAt: Date;
}

export interface DeviceListFilter {
  status?: DeviceStatus[] | null;
  search?: string | null;
}

const STATUS_SQL = `CASE WHEN NOT d.enabled THEN 'DISABLED'
                         WHEN d.quarantined_at IS NOT NULL THEN 'QUARANTINED'
                         WHEN d.connected THEN 'ONLINE' ELSE 'OFFLINE' END`;

/** The read side of fleet management, one tenant transaction per call. */
@Injectable()
export class FleetQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: FleetRepository,
  ) {}

  list(orgId: string, filter: DeviceListFilter = {}): Promise<DeviceView[]> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const search = filter.search?.trim();
      const rows: DeviceRow[] = await tx.query(
        `SELECT ${DEVICE_COLUMNS} FROM devices d
          WHERE d.removed_at IS NULL
            AND ($1::text[] IS NULL OR ${STATUS_SQL} = ANY($1::text[]))
            AND ($2::text IS NULL OR d.name ILIKE '%' || $2 || '%' OR d.model ILIKE '%' || $2 || '%')
          ORDER BY d.created_at, d.id
          LIMIT 1000`,
        [filter.status?.length ? filter.status : null, search ? escapeLike(search) : null],
      );
      return this.views(tx, rows);
    });
  }

  get(orgId: string, id: string): Promise<DeviceView | null> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const device = await this.repo.device(tx, id);
      return device ? (await this.views(tx, [device]))[0] : null;
    });
  }

  private async views(tx: EntityManager, rows: DeviceRow[]): Promise<DeviceView[]> {
    const ids = rows.map((r) => r.id);
    const sims = await this.repo.sims(tx, ids);
    const depths = await this.repo.queueDepths(tx, ids);
    return rows.map((d) => ({
      id: d.id,
      name: d.name,
      manufacturer: d.manufacturer,
      model: d.model,
      appVersion: d.appVersion,
      status: statusOf(d),
      enabled: d.enabled,
      lastSeenAt: d.lastSeenAt,
      sims: sims
        .filter((s) => s.deviceId === d.id)
        .map((s) => ({ slot: s.slot, operator: s.carrierName, maskedNumber: s.maskedNumber })),
      queueDepth: depths.get(d.id) ?? 0,
      sentCount: d.sentCount,
      deliveredCount: d.deliveredCount,
      failedCount: d.failedCount,
      healthScore: d.healthScore,
      sendRatePerMinute: d.sendRatePerMinute,
      dailyLimit: d.dailyLimit,
      simPolicy: d.simPolicy,
      quarantineReason: d.quarantineReason,
      createdAt: d.createdAt,
    }));
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
