import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { RateLimiter } from '@switchboard/rate-limit';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, TenantRepository } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DAY_MS } from '../domain/pacing';
import { DeviceStatusService } from '../fleet/device-status.service';
import { FleetRepository } from '../fleet/fleet.repository';
import { InboundRepository } from '../inbound/inbound.repository';
import { AssignmentService } from '../queue/assignment.service';
import { QueueRepository } from '../queue/queue.repository';
import { DeviceWakeups } from './device-wakeups';

export interface SweepReport {
  offline: number;
  released: number;
  expired: number;
  timedOut: number;
  assigned: number;
  woken: number;
}

/**
 * What happens with time rather than with a request, for every organization, on one replica
 * at a time (a PeriodicJob every SWEEP_INTERVAL_MS, run by the holder of the
 * `devices:fleet-sweeper` LeaderLease):
 * - a device not heard from for DEVICE_OFFLINE_AFTER_SECONDS goes OFFLINE;
 * - an OFFLINE device's queue is RELEASED after DEVICE_RELEASE_GRACE_SECONDS;
 * - waiting messages past valid_until are EXPIRED;
 * - messages handed out and not reported for HANDOUT_TIMEOUT_SECONDS count against health;
 * - pooled messages go to devices that can take them now;
 * - devices with messages their budget allows and no recent pull are woken (a safety net for
 *   lost notifications and timers);
 * - old replay-protection and receipt records are pruned.
 */
@Injectable()
export class FleetSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FleetSweeper.name);
  private job?: PeriodicJob;

  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly fleet: FleetRepository,
    private readonly tenants: TenantRepository,
    private readonly queue: QueueRepository,
    private readonly inbound: InboundRepository,
    private readonly status: DeviceStatusService,
    private readonly assignment: AssignmentService,
    private readonly wakeups: DeviceWakeups,
    private readonly limits: RateLimiter,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const logger = nestJobLogger(FleetSweeper.name);
    this.job = new PeriodicJob({
      name: 'fleet sweep',
      intervalMs: this.config.SWEEP_INTERVAL_MS,
      initialDelayMs: this.config.SWEEP_INTERVAL_MS,
      lease: new LeaderLease({
        connectionString: this.config.DATABASE_URL,
        name: 'devices:fleet-sweeper',
        logger,
      }),
      logger,
      run: async () => void (await this.sweepAll()),
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One sweep of every organization (also called by tests). */
  async sweepAll(): Promise<SweepReport> {
    const total: SweepReport = {
      offline: 0,
      released: 0,
      expired: 0,
      timedOut: 0,
      assigned: 0,
      woken: 0,
    };
    // The longest limit window is an hour (registrations).
    await this.limits
      .prune(3600)
      .catch((error: Error) =>
        this.logger.warn({ msg: 'pruning rate limits failed', error: error.message }),
      );
    for (const id of await this.tenants.open(this.dataSource)) {
      try {
        const report = await inTenantTransaction(this.dataSource, id, (tx) => this.sweep(tx));
        for (const key of Object.keys(total) as (keyof SweepReport)[]) total[key] += report[key];
      } catch (error) {
        this.logger.warn({
          msg: 'sweep of a tenant failed',
          orgId: id,
          error: (error as Error).message,
        });
      }
    }
    return total;
  }

  private async sweep(tx: EntityManager): Promise<SweepReport> {
    const now = this.clock.now();
    const report: SweepReport = {
      offline: 0,
      released: 0,
      expired: 0,
      timedOut: 0,
      assigned: 0,
      woken: 0,
    };

    const silent = await this.fleet.silentSince(
      tx,
      new Date(now.getTime() - this.config.DEVICE_OFFLINE_AFTER_SECONDS * 1000),
    );
    for (const device of silent) {
      await this.status.changeFacts(
        tx,
        device,
        { connected: false },
        `no connection or request for ${this.config.DEVICE_OFFLINE_AFTER_SECONDS} s`,
      );
      report.offline++;
    }

    const gone = await this.fleet.offlineWithQueue(
      tx,
      new Date(now.getTime() - this.config.DEVICE_RELEASE_GRACE_SECONDS * 1000),
    );
    for (const id of gone) {
      report.released += await this.assignment.releaseDevice(tx, id, 'device offline');
    }

    report.expired = await this.assignment.expireDue(tx);

    const late = await this.queue.markTimedOut(
      tx,
      new Date(now.getTime() - this.config.HANDOUT_TIMEOUT_SECONDS * 1000),
    );
    for (const row of late) await this.status.recordOutcome(tx, row.deviceId, 'timeout');
    report.timedOut = late.length;

    report.assigned = await this.assignment.assignPool(tx);
    report.woken = await this.wakeIdle(tx, now);

    await this.inbound.prune(
      tx,
      new Date(now.getTime() - 2 * this.config.WEBHOOK_MAX_SKEW_SECONDS * 1000),
      new Date(now.getTime() - 7 * DAY_MS),
    );
    return report;
  }

  /** Wakes online devices that could be handed something now but have not pulled lately. */
  private async wakeIdle(tx: EntityManager, now: Date): Promise<number> {
    const idle = await this.fleet.idleWithQueue(
      tx,
      new Date(now.getTime() - Math.max(2 * this.config.SWEEP_INTERVAL_MS, 1000)),
    );
    let woken = 0;
    for (const device of idle) {
      const plan = await this.assignment.planHandout(tx, device, 'fifo', 1, now);
      if (plan.handOut.length > 0) {
        await this.wakeups.notify(tx, device.id);
        woken++;
      }
    }
    return woken;
  }
}
