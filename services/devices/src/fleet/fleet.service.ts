import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditRecord } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { CredentialRepository } from '../common/credential.repository';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { statusOf, type DeviceStatus } from '../domain/device-status';
import type { SimPolicy } from '../domain/selection';
import { DeviceWakeups } from '../presence/device-wakeups';
import { AssignmentService } from '../queue/assignment.service';
import { QueueRepository } from '../queue/queue.repository';
import { deviceFacts, type DeviceRow, type DeviceSettingsRecord } from './device.record';
import { DeviceStatusService } from './device-status.service';
import { FleetRepository } from './fleet.repository';

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

type Actor = AuditRecord['actor'];

export interface DeviceSettingsChange {
  name?: string;
  enabled?: boolean;
  sendRatePerMinute?: number;
  dailyLimit?: number | null;
  simPolicy?: SimPolicy;
}

/**
 * Fleet management by the organization (GraphQL): listing its devices, changing a device's
 * settings, enabling or disabling it, removing it. One tenant transaction per call.
 */
@Injectable()
export class FleetService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: FleetRepository,
    private readonly credentials: CredentialRepository,
    private readonly queue: QueueRepository,
    private readonly status: DeviceStatusService,
    private readonly assignment: AssignmentService,
    private readonly events: DeviceEventsWriter,
    private readonly wakeups: DeviceWakeups,
    private readonly clock: Clock,
  ) {}

  list(orgId: string, filter: DeviceListFilter = {}): Promise<DeviceView[]> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const search = filter.search?.trim();
      const rows = await this.repo.list(tx, {
        status: filter.status ?? null,
        search: search || null,
      });
      return this.views(tx, rows);
    });
  }

  get(orgId: string, id: string): Promise<DeviceView | null> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const device = await this.repo.device(tx, id);
      return device ? (await this.views(tx, [device]))[0] : null;
    });
  }

  /** The devices a given enrollment token registered (not removed ones). */
  byEnrollment(orgId: string, enrollmentId: string): Promise<DeviceView[]> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) =>
      this.views(tx, await this.repo.byEnrollment(tx, enrollmentId)),
    );
  }

  /** `approveDevice`: a phone from a shared enrollment token joins the pool. */
  async approve(orgId: string, id: string, actor: Actor): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const device = await this.repo.device(tx, id, { lock: true });
      if (!device) throw deviceNotFound();
      if (device.approved) return;
      await this.status.changeFacts(tx, device, { approved: true }, 'approved by user');
      await this.events.audit(tx, orgId, {
        actor,
        action: 'device.approve',
        resourceType: 'device',
        resourceId: id,
      });
    });
  }

  /** `rejectDevice`: a phone waiting for approval is removed (its token stops working). */
  async reject(orgId: string, id: string, actor: Actor): Promise<void> {
    await this.remove(orgId, id, actor, {
      action: 'device.reject',
      reason: 'rejected by user',
      check: (device) => {
        if (device.approved) {
          throw new DevicesException(
            DevicesErrorCode.DEVICE_NOT_PENDING,
            'Only a device waiting for approval can be rejected; remove it instead',
          );
        }
      },
    });
  }

  settings(orgId: string): Promise<DeviceSettingsRecord> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.repo.settings(tx));
  }

  /** `setDeviceSettings`: the organization's fleet settings; returns them. */
  async saveSettings(
    orgId: string,
    settings: DeviceSettingsRecord,
    actor: Actor,
  ): Promise<DeviceSettingsRecord> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.repo.saveSettings(tx, orgId, settings, this.clock.now());
      await this.events.audit(tx, orgId, {
        actor,
        action: 'device_settings.update',
        resourceType: 'device_settings',
        metadata: {
          require_approval_for_shared_enrollments: String(
            settings.requireApprovalForSharedEnrollments,
          ),
        },
      });
    });
    return settings;
  }

  /** `updateDevice`: the organization's settings for a device. */
  async update(
    orgId: string,
    id: string,
    actor: Actor,
    change: DeviceSettingsChange,
  ): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      let device = await this.repo.device(tx, id, { lock: true });
      if (!device) throw deviceNotFound();
      const now = this.clock.now();
      if (change.name !== undefined && change.name !== device.name) {
        await this.repo.rename(tx, id, change.name, now);
        device = { ...device, name: change.name };
        const sims = (await this.repo.sims(tx, [id])).map(({ deviceId: _d, ...s }) => s);
        await this.events.deviceUpdated(tx, deviceFacts(device, sims));
      }
      await this.repo.updateSettings(tx, id, {
        sendRatePerMinute: change.sendRatePerMinute ?? null,
        dailyLimit: change.dailyLimit,
        simPolicy: change.simPolicy ?? null,
        now,
      });
      const fields = Object.entries(change)
        .filter(([, value]) => value !== undefined)
        .map(([field]) => field);
      await this.events.audit(tx, orgId, {
        actor,
        action: 'device.update',
        resourceType: 'device',
        resourceId: id,
        metadata: { fields: fields.join(',') },
      });
      if (change.enabled === true && device.quarantinedAt) {
        await this.events.audit(tx, orgId, {
          actor,
          action: 'device.quarantine_lift',
          resourceType: 'device',
          resourceId: id,
          metadata: { quarantine_reason: device.quarantineReason ?? '' },
        });
      }
      if (change.enabled === true && (!device.enabled || device.quarantinedAt)) {
        device = await this.status.changeFacts(
          tx,
          device,
          { enabled: true, quarantineReason: null },
          device.quarantinedAt ? 'quarantine lifted by user' : 'enabled by user',
        );
      } else if (change.enabled === false && device.enabled) {
        device = await this.status.changeFacts(tx, device, { enabled: false }, 'disabled by user');
      }
      // A higher rate or cap may let the device take pooled messages now.
      if (statusOf(device) === 'ONLINE') await this.assignment.assignPool(tx);
    });
  }

  /** `removeDevice`: revokes its token, releases its queue, closes its streams. */
  async remove(
    orgId: string,
    id: string,
    actor: Actor,
    {
      action = 'device.remove',
      reason = 'removed by user',
      check,
    }: { action?: string; reason?: string; check?: (device: DeviceRow) => void } = {},
  ): Promise<void> {
    await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const device = await this.repo.device(tx, id, { lock: true });
      if (!device) throw deviceNotFound();
      check?.(device);
      await this.credentials.delete(tx, id);
      await this.repo.markRemoved(tx, id, this.clock.now());
      await this.assignment.releaseDevice(tx, id, 'device removed', { includeProcessed: true });
      await this.events.removed(tx, orgId, id, reason);
      await this.events.audit(tx, orgId, {
        actor,
        action,
        resourceType: 'device',
        resourceId: id,
        metadata: { reason },
      });
      await this.wakeups.disconnectOnCommit(tx, id);
    });
  }

  private async views(tx: EntityManager, rows: DeviceRow[]): Promise<DeviceView[]> {
    const ids = rows.map((r) => r.id);
    const sims = await this.repo.sims(tx, ids);
    const depths = await this.queue.depths(tx, ids);
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

function deviceNotFound(): DevicesException {
  return new DevicesException(DevicesErrorCode.DEVICE_NOT_FOUND, 'No such device');
}
