import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { statusOf } from '../domain/device-status';
import { recordOutcomes, type Health, type HealthUpdate, type Outcome } from '../domain/health';
import { AssignmentService } from '../queue/assignment.service';
import type { DeviceIdentity, DeviceRow } from './device.record';
import { FleetRepository } from './fleet.repository';

/**
 * A device's status and what follows from it: being seen (online/offline), outcomes counted
 * against its health (quarantine), and the organization's enabling or disabling. Every status
 * change is a DeviceStatusChanged event; leaving the pool releases the device's queue,
 * (re)joining it takes messages waiting in the organization's pool.
 */
@Injectable()
export class DeviceStatusService {
  private readonly logger = new Logger(DeviceStatusService.name);

  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly repo: FleetRepository,
    private readonly assignment: AssignmentService,
    private readonly events: DeviceEventsWriter,
    private readonly clock: Clock,
    private readonly tenants: TenantRepository,
  ) {}

  /**
   * Records that the device was heard from (a request, an SSE keepalive). Writes at most every
   * few seconds per device; a device that was offline comes back online, which may take
   * messages from the pool.
   */
  async seen(tx: EntityManager, device: DeviceRow): Promise<void> {
    const now = this.clock.now();
    const throttleMs = Math.min(5000, (this.config.DEVICE_OFFLINE_AFTER_SECONDS * 1000) / 4);
    if (device.connected && now.getTime() - device.lastSeenAt.getTime() < throttleMs) return;
    if (device.connected) {
      await this.repo.touchLastSeen(tx, device.id, now);
      return;
    }
    const locked = await this.repo.device(tx, device.id, { lock: true });
    if (!locked) return;
    // A request or keepalive that began before its organization was closed must not bring the
    // phone back online after the closure took it offline (read after the device lock, which
    // the closure holds until it commits).
    if (await this.tenants.isClosed(tx, locked.orgId)) return;
    await this.changeFacts(tx, locked, { connected: true }, 'device reconnected');
  }

  /** `seen` from outside a transaction (SSE keepalives); false when the device is gone. */
  async touch(identity: DeviceIdentity): Promise<boolean> {
    return inTenantTransaction(this.dataSource, identity.orgId, async (tx) => {
      const device = await this.repo.device(tx, identity.deviceId);
      if (!device) return false;
      await this.seen(tx, device);
      return true;
    });
  }

  /**
   * Changes the facts a status derives from, in the caller's transaction (the device row
   * locked): emits DeviceStatusChanged when the status changes, releases the queue of a
   * device that was disabled or quarantined, and gives a device back in the pool messages
   * from the organization's pool.
   */
  async changeFacts(
    tx: EntityManager,
    device: DeviceRow,
    change: {
      approved?: boolean;
      connected?: boolean;
      enabled?: boolean;
      quarantineReason?: string | null;
    },
    reason: string,
  ): Promise<DeviceRow> {
    const now = this.clock.now();
    const next: DeviceRow = {
      ...device,
      approved: change.approved ?? device.approved,
      connected: change.connected ?? device.connected,
      enabled: change.enabled ?? device.enabled,
      quarantinedAt:
        change.quarantineReason === undefined
          ? device.quarantinedAt
          : change.quarantineReason === null
            ? null
            : (device.quarantinedAt ?? now),
      quarantineReason:
        change.quarantineReason === undefined ? device.quarantineReason : change.quarantineReason,
    };
    await this.repo.writeStatusFacts(tx, device.id, {
      approved: next.approved,
      connected: next.connected,
      enabled: next.enabled,
      quarantinedAt: next.quarantinedAt,
      quarantineReason: next.quarantineReason,
      lifted: device.quarantinedAt !== null && next.quarantinedAt === null,
      now,
    });
    const before = statusOf(device);
    const after = statusOf(next);
    if (before !== after) {
      await this.events.statusChanged(tx, device.orgId, device.id, after, before, reason);
      this.logger.log({ msg: 'device status changed', deviceId: device.id, before, after, reason });
      if (after === 'DISABLED' || after === 'QUARANTINED') {
        await this.assignment.releaseDevice(tx, device.id, `device ${after.toLowerCase()}`);
      }
      if (after === 'ONLINE') await this.assignment.assignPool(tx);
    }
    return next;
  }

  /** Counts an outcome against the device's health; may quarantine it. */
  async recordOutcome(tx: EntityManager, deviceId: string, outcome: Outcome): Promise<void> {
    const device = await this.repo.device(tx, deviceId, { lock: true });
    if (!device) return;
    const update = this.healthAfter(device, [outcome]);
    await this.repo.writeHealth(tx, deviceId, update.health);
    if (update.quarantineReason) {
      await this.quarantine(tx, device, update.health, update.quarantineReason);
    }
  }

  /**
   * The device's health after these outcomes (in the order they happened), and the quarantine
   * the first of them that calls for one gives as its reason. Nothing is written.
   */
  healthAfter(device: DeviceRow, outcomes: readonly Outcome[]): HealthUpdate {
    return recordOutcomes(
      {
        score: device.healthScore,
        consecutiveFailures: device.consecutiveFailures,
        outcomes: device.outcomes,
      },
      outcomes,
      {
        alpha: 0.1,
        maxConsecutiveFailures: this.config.QUARANTINE_AFTER_FAILURES,
        minScore: this.config.QUARANTINE_BELOW_SCORE,
        minOutcomes: 10,
      },
    );
  }

  /**
   * Quarantines the device (its row locked, its new health written) for `reason`; a device
   * already in quarantine stays as it is.
   */
  async quarantine(
    tx: EntityManager,
    device: DeviceRow,
    health: Health,
    reason: string,
  ): Promise<void> {
    if (device.quarantinedAt !== null) return;
    await this.changeFacts(
      tx,
      { ...device, healthScore: health.score },
      { quarantineReason: reason },
      reason,
    );
  }
}
