import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { runTogether } from '@switchboard/tenancy';
import { Clock } from '@switchboard/service-kit';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { DAY_MS, planHandout, type Handout, type HandoutPlan } from '../domain/pacing';
import { chooseDevice, type Candidate, type DispatchRequest } from '../domain/selection';
import { FleetRepository } from '../fleet/fleet.repository';
import { DeviceWakeups } from '../presence/device-wakeups';
import { QueueRepository } from './queue.repository';
import { refOf, type QueueRow } from './queue-row.record';

/** PACING_MARGIN_MS, or window ÷ 60 (at most 1 s) when unset. */
export function pacingMargin(config: Pick<DevicesConfig, 'PACING_WINDOW_MS' | 'PACING_MARGIN_MS'>) {
  return config.PACING_MARGIN_MS ?? Math.min(1000, Math.round(config.PACING_WINDOW_MS / 60));
}

/**
 * What happens to queue rows whatever brought them: choosing devices for waiting messages,
 * releasing a device's queue, ending rows the service decides about (failed, expired,
 * canceled) and asking a phone to cancel. All run in the caller's tenant transaction and write
 * their events to the outbox there.
 */
@Injectable()
export class AssignmentService {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly clock: Clock,
    private readonly queue: QueueRepository,
    private readonly fleet: FleetRepository,
    private readonly events: DeviceEventsWriter,
    private readonly wakeups: DeviceWakeups,
  ) {}

  /**
   * What a device may be handed now: up to `limit` of its queued rows (in `order`) as its
   * pacing budget (per-minute rate, daily cap per SIM) allows, and when the next one will be.
   */
  async planHandout(
    tx: EntityManager,
    device: { id: string; sendRatePerMinute: number; dailyLimit: number | null },
    order: 'lifo' | 'fifo',
    limit: number,
    now: Date,
    /** The device's queued rows in `order`, when the caller read them already. */
    known?: QueueRow[],
  ): Promise<HandoutPlan> {
    const queued = known?.slice(0, limit) ?? (await this.queue.queued(tx, device.id, order, limit));
    const recent = await this.queue.handoutsSince(
      tx,
      device.id,
      new Date(now.getTime() - Math.max(DAY_MS, this.config.PACING_WINDOW_MS)),
    );
    return planHandout(
      queued,
      recent.map((r): Handout => ({ ...r, at: r.at.getTime() })),
      now.getTime(),
      {
        rate: device.sendRatePerMinute,
        windowMs: this.config.PACING_WINDOW_MS + pacingMargin(this.config),
        dailyLimit: device.dailyLimit,
      },
    );
  }

  /** The organization's devices as selection candidates, with their current load. */
  candidates(tx: EntityManager, now: Date): Promise<Candidate[]> {
    return this.queue.candidates(
      tx,
      new Date(now.getTime() - this.config.PACING_WINDOW_MS),
      new Date(now.getTime() - DAY_MS),
    );
  }

  /**
   * Tries to give each row (new or pooled, in order) a device; assigned rows become QUEUED
   * with a DISPATCHED event and a wake-up, the others stay (or become) POOLED. Candidates are
   * updated as rows are assigned, so a burst spreads over the fleet. The devices are chosen
   * first; the rows, the devices' last assignment, the events and the wake-ups are then written
   * in one statement (runTogether: none of them reads another's rows).
   */
  async assign(tx: EntityManager, rows: QueueRow[], candidates?: Candidate[]): Promise<number> {
    if (rows.length === 0) return 0;
    const now = this.clock.now();
    const fleet = candidates ?? (await this.candidates(tx, now));
    const assigned: { row: QueueRow; deviceId: string; simNumber: number | null }[] = [];
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
      const candidate = fleet.find((c) => c.id === choice.deviceId)!;
      candidate.backlogSegments += row.segments;
      candidate.lastAssignedAt = now.getTime();
      const slot = choice.simNumber ?? 0;
      (candidate.dailySegments as Map<number, number>).set(
        slot,
        (candidate.dailySegments.get(slot) ?? 0) + row.segments,
      );
      assigned.push({ row, deviceId: choice.deviceId, simNumber: choice.simNumber ?? null });
    }
    if (assigned.length === 0) return 0;
    const devices = [...new Set(assigned.map((a) => a.deviceId))];
    await runTogether(tx, [
      this.queue.assignStatement(
        assigned.map((a) => ({ id: a.row.id, deviceId: a.deviceId, simNumber: a.simNumber })),
        now,
      ),
      this.fleet.lastAssignedStatement(devices, now),
      this.events.messageStatesStatement(
        assigned.map((a) => ({
          ref: { ...refOf(a.row), deviceId: a.deviceId, simNumber: a.simNumber },
          state: 'DISPATCHED' as const,
          extra: { at: now },
        })),
      )!,
      this.wakeups.enqueuedStatement(devices),
    ]);
    return assigned.length;
  }

  /** Gives pooled messages of the organization to devices that can take them now. */
  async assignPool(tx: EntityManager, limit = 500): Promise<number> {
    return this.assign(tx, await this.queue.pooled(tx, this.clock.now(), limit));
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
    const rows = await this.queue.ofDevice(tx, deviceId, states);
    for (const row of rows) {
      const state = row.cancelRequested ? 'CANCELED' : 'RELEASED';
      await this.queue.finish(tx, row.id, state, now);
      await this.events.messageState(tx, refOf(row), state, { at: now, reason });
    }
    return rows.length;
  }

  /** Releases what waits in the organization's pool (no device will take it). */
  async releasePool(tx: EntityManager, reason: string): Promise<number> {
    const now = this.clock.now();
    const rows = await this.queue.allPooled(tx);
    for (const row of rows) {
      await this.queue.finish(tx, row.id, 'RELEASED', now);
      await this.events.messageState(tx, refOf(row), 'RELEASED', { at: now, reason });
    }
    return rows.length;
  }

  /** Waiting messages whose validity ended become EXPIRED. */
  async expireDue(tx: EntityManager): Promise<number> {
    const now = this.clock.now();
    const rows = await this.queue.expireDue(tx, now);
    for (const row of rows) {
      await this.events.messageState(tx, refOf(row), 'EXPIRED', {
        at: now,
        reason: 'valid_until passed before a device took it',
      });
    }
    return rows.length;
  }

  /** Ends a row the devices service decides about itself (no device report). */
  async finish(
    tx: EntityManager,
    row: QueueRow,
    state: 'FAILED' | 'EXPIRED' | 'CANCELED',
    now: Date,
    extra: { errorCode?: string; reason: string },
  ): Promise<void> {
    await this.queue.finish(tx, row.id, state, now, extra.errorCode ?? null);
    await this.events.messageState(tx, refOf(row), state, { at: now, ...extra });
  }

  /**
   * Cancels an open row: a waiting one ends CANCELED at once; a phone holding one is asked to
   * cancel it (SSE MessageCancelled, and `Cancelling` in its next pull), and its report
   * decides: Cancelled, or Sent if it was too late.
   */
  async cancel(tx: EntityManager, row: QueueRow, now: Date, reason: string): Promise<void> {
    if (row.state === 'HANDED_OUT' || row.state === 'PROCESSED') {
      if (row.cancelRequested) return;
      await this.queue.requestCancel(tx, row.id, now);
      await this.wakeups.notify(tx, row.deviceId!, 'MessageCancelled', {
        messageId: row.messageId,
      });
    } else {
      await this.finish(tx, row, 'CANCELED', now, { reason });
    }
  }
}
