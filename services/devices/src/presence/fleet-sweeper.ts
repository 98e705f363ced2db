import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { LeaderLease, nestJobLogger, PeriodicJob } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, rows } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DAY_MS, planHandout, type Handout } from '../domain/pacing';
import { QueueService, QUEUE_COLUMNS, type QueueRow } from '../dispatch/queue.service';
import { DEVICE_COLUMNS, type DeviceRow } from '../fleet/fleet.repository';
import { FleetService } from '../fleet/fleet.service';
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
    private readonly fleet: FleetService,
    private readonly queue: QueueService,
    private readonly wakeups: DeviceWakeups,
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
    const tenants: { id: string }[] = await this.dataSource.query(`SELECT id FROM tenants`);
    for (const { id } of tenants) {
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

    const silent: DeviceRow[] = await tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.removed_at IS NULL AND d.connected AND d.last_seen_at < $1
        FOR UPDATE SKIP LOCKED`,
      [new Date(now.getTime() - this.config.DEVICE_OFFLINE_AFTER_SECONDS * 1000)],
    );
    for (const device of silent) {
      await this.fleet.changeFacts(
        tx,
        device,
        { connected: false },
        `no connection or request for ${this.config.DEVICE_OFFLINE_AFTER_SECONDS} s`,
      );
      report.offline++;
    }

    const gone: { id: string }[] = await tx.query(
      `SELECT d.id FROM devices d
        WHERE NOT d.connected AND d.offline_since <= $1
          AND EXISTS (SELECT 1 FROM device_messages m WHERE m.device_id = d.id
                        AND m.state IN ('QUEUED', 'HANDED_OUT'))`,
      [new Date(now.getTime() - this.config.DEVICE_RELEASE_GRACE_SECONDS * 1000)],
    );
    for (const { id } of gone) {
      report.released += await this.queue.releaseDevice(tx, id, 'device offline');
    }

    report.expired = await this.queue.expireDue(tx);

    const late = await rows<{ id: string; deviceId: string }>(
      tx,
      `UPDATE device_messages SET timed_out = true
        WHERE state = 'HANDED_OUT' AND NOT timed_out AND handed_out_at < $1
        RETURNING id, device_id AS "deviceId"`,
      [new Date(now.getTime() - this.config.HANDOUT_TIMEOUT_SECONDS * 1000)],
    );
    for (const row of late) await this.fleet.recordOutcome(tx, row.deviceId, 'timeout');
    report.timedOut = late.length;

    report.assigned = await this.queue.assignPool(tx);
    report.woken = await this.wakeIdle(tx, now);

    await tx.query(`DELETE FROM webhook_signatures WHERE seen_at < $1`, [
      new Date(now.getTime() - 2 * this.config.WEBHOOK_MAX_SKEW_SECONDS * 1000),
    ]);
    await tx.query(`DELETE FROM inbound_receipts WHERE received_at < $1`, [
      new Date(now.getTime() - 7 * DAY_MS),
    ]);
    return report;
  }

  /** Wakes online devices that could be handed something now but have not pulled lately. */
  private async wakeIdle(tx: EntityManager, now: Date): Promise<number> {
    const idle: DeviceRow[] = await tx.query(
      `SELECT ${DEVICE_COLUMNS} FROM devices d
        WHERE d.removed_at IS NULL AND d.connected AND d.enabled AND d.quarantined_at IS NULL
          AND (d.last_pull_at IS NULL OR d.last_pull_at < $1)
          AND EXISTS (SELECT 1 FROM device_messages m WHERE m.device_id = d.id AND m.state = 'QUEUED')`,
      [new Date(now.getTime() - Math.max(2 * this.config.SWEEP_INTERVAL_MS, 1000))],
    );
    let woken = 0;
    for (const device of idle) {
      const queued: QueueRow[] = await tx.query(
        `SELECT ${QUEUE_COLUMNS} FROM device_messages WHERE device_id = $1 AND state = 'QUEUED'
          ORDER BY priority DESC, created_at LIMIT 1`,
        [device.id],
      );
      const recent: { at: Date; segments: number; simNumber: number | null }[] = await tx.query(
        `SELECT handed_out_at AS at, segments, sim_number AS "simNumber" FROM device_messages
          WHERE device_id = $1 AND handed_out_at > $2`,
        [device.id, new Date(now.getTime() - Math.max(DAY_MS, this.config.PACING_WINDOW_MS))],
      );
      const plan = planHandout(
        queued,
        recent.map((r): Handout => ({ ...r, at: r.at.getTime() })),
        now.getTime(),
        {
          rate: device.sendRatePerMinute,
          windowMs: this.config.PACING_WINDOW_MS,
          dailyLimit: device.dailyLimit,
        },
      );
      if (plan.handOut.length > 0) {
        await this.wakeups.notify(tx, device.id);
        woken++;
      }
    }
    return woken;
  }
}
