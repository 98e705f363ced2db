import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, runTogether } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import {
  DeviceEventsWriter,
  type MessageRef,
  type MessageStateExtra,
} from '../common/device-events.writer';
import { statusOf } from '../domain/device-status';
import type { Outcome } from '../domain/health';
import {
  normalizeDeviceError,
  transitionsFor,
  type AppState,
  type ReportedState,
  type StateReport,
} from '../domain/message-states';
import { DeviceStatusService } from '../fleet/device-status.service';
import { FleetRepository } from '../fleet/fleet.repository';
import type { DeviceIdentity } from '../fleet/device.record';
import { DeviceWakeups } from '../presence/device-wakeups';
import { AssignmentService } from '../queue/assignment.service';
import { QueueRepository, type ReportedRow } from '../queue/queue.repository';
import { refOf, type QueueRow } from '../queue/queue-row.record';
import { toMobileMessage, type MobileMessage, type StateReportItem } from './mobile-message.model';

/** The app takes at most this many messages per pull (the reference server's maxPendingBatch). */
export const MAX_PENDING_BATCH = 100;
/** Device clocks more than this ahead of ours are not believed. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The phone's side of the send path: `GET /message` hands a device what it holds and what its
 * pacing budget allows now; `PATCH /message` turns its state reports into MessageStateEvents
 * and health outcomes.
 */
@Injectable()
export class HandoutService {
  private readonly handedOut;
  private readonly reported;

  constructor(
    metrics: Metrics,
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly queue: QueueRepository,
    private readonly fleet: FleetRepository,
    private readonly assignment: AssignmentService,
    private readonly status: DeviceStatusService,
    private readonly events: DeviceEventsWriter,
    private readonly wakeups: DeviceWakeups,
    private readonly clock: Clock,
  ) {
    this.handedOut = metrics.counter(
      'devices_segments_handed_out_total',
      'SMS segments handed to phones through GET /message.',
    );
    this.reported = metrics.counter(
      'devices_message_states_total',
      'Message states reported by phones, by state.',
      ['state'],
    );
  }

  /**
   * `GET /message`: what the device should work on — messages it already holds (handed out or
   * to be canceled) and as many queued ones as its pacing budget allows right now, at most 100.
   * When messages wait for the budget, a wake-up is scheduled for when it allows the next one.
   */
  async handout(identity: DeviceIdentity, order: 'lifo' | 'fifo'): Promise<MobileMessage[]> {
    const result = await inTenantTransaction(this.dataSource, identity.orgId, async (tx) => {
      // The device's row stays locked: two pulls at once can't both spend the budget.
      const device = await this.fleet.pulled(tx, identity.deviceId, this.clock.now());
      // The time after the lock: a pull that waited for another one must not stamp its handouts
      // earlier than they leave (the window would free early; the phone would see 31 a minute).
      const now = this.clock.now();
      if (!device) return { messages: [] as QueueRow[], nextAt: null };
      const { held, queued, expired } = await this.queue.forPull(
        tx,
        device.id,
        order,
        MAX_PENDING_BATCH,
        now,
      );
      for (const row of expired) {
        await this.assignment.finish(tx, row, 'EXPIRED', now, {
          reason: 'valid_until passed before the device took it',
        });
      }
      let nextAt: number | null = null;
      let handed: QueueRow[] = [];
      if (statusOf(device) === 'ONLINE' && held.length < MAX_PENDING_BATCH) {
        const plan = await this.assignment.planHandout(
          tx,
          device,
          order,
          MAX_PENDING_BATCH - held.length,
          now,
          queued,
        );
        nextAt = plan.nextAt;
        const chosen = new Set(plan.handOut);
        handed = queued.filter((row) => chosen.has(row.id));
        await this.queue.markHandedOut(
          tx,
          handed.map((r) => r.id),
          now,
        );
      }
      return {
        messages: [...held, ...handed.map((r) => ({ ...r, state: 'HANDED_OUT' as const }))],
        nextAt,
      };
    });
    this.handedOut.inc(
      result.messages.filter((m) => m.handedOutAt === null).reduce((n, m) => n + m.segments, 0),
    );
    if (result.nextAt !== null) {
      this.wakeups.wakeAt(this.dataSource, identity.deviceId, result.nextAt);
    }
    return result.messages.map(toMobileMessage);
  }

  /**
   * `PATCH /message`: the app's state reports. Unknown ids (another device's message, a
   * message released since) and repeated reports change nothing; every new state is an event.
   */
  async report(identity: DeviceIdentity, items: StateReportItem[]): Promise<void> {
    if (items.length === 0) return;
    const now = this.clock.now();
    await inTenantTransaction(this.dataSource, identity.orgId, async (tx) => {
      // The device row first, as a pull and the sweep lock it: the same order everywhere, so a
      // report that quarantines the device can't deadlock with its own next pull.
      const device = await this.fleet.device(tx, identity.deviceId, { lock: true });
      const rows = await this.queue.latestOfDevice(tx, identity.deviceId, [
        ...new Set(items.map((i) => i.id)),
      ]);
      const byMessage = new Map(rows.map((r) => [r.messageId, r]));
      const written = new Map<string, ReportedRow>();
      const events: { ref: MessageRef; state: ReportedState; extra: MessageStateExtra }[] = [];
      const counted = { sent: 0, delivered: 0, failed: 0 };
      const outcomes: Outcome[] = [];
      for (const item of items) {
        const row = byMessage.get(item.id);
        if (!row) continue;
        const report: StateReport = {
          state: item.state,
          states: parseStates(item.states, now.getTime()),
          error: item.recipients.find((r) => r.error)?.error ?? null,
        };
        for (const step of transitionsFor(row.state, report, now.getTime())) {
          const at = new Date(step.at);
          const failure =
            step.state === 'FAILED'
              ? { errorCode: normalizeDeviceError(report.error), errorMessage: report.error ?? '' }
              : undefined;
          const rowReport = written.get(row.id) ?? {
            id: row.id,
            state: step.state,
            at: {},
            errorCode: null,
            errorMessage: null,
          };
          rowReport.state = step.state;
          rowReport.at[step.state] = at;
          if (failure) {
            rowReport.errorCode = failure.errorCode;
            rowReport.errorMessage = failure.errorMessage.slice(0, 2000);
          }
          written.set(row.id, rowReport);
          events.push({ ref: refOf(row), state: step.state, extra: { at, ...failure } });
          this.reported.inc({ state: step.state });
          if (step.state === 'SENT') counted.sent++;
          if (step.state === 'DELIVERED') counted.delivered++;
          if (step.state === 'FAILED') counted.failed++;
          // Sending is the device's job; what happens after SENT (delivery) is the network's.
          if (step.state === 'SENT') outcomes.push('success');
          else if (step.state === 'FAILED' && row.state !== 'SENT') outcomes.push('failure');
          row.state = step.state;
        }
      }
      const health =
        device && outcomes.length > 0 ? this.status.healthAfter(device, outcomes) : null;
      // The rows, their events and the device's counters and health: one statement.
      await runTogether(
        tx,
        [
          this.queue.reportedStatement([...written.values()], now),
          this.events.messageStatesStatement(events),
          this.fleet.reportedStatement(identity.deviceId, counted, health?.health ?? null),
        ].filter((statement) => statement !== undefined),
      );
      // After the reports: a quarantine releases what is still open, not what was just reported.
      if (device && health?.quarantineReason) {
        await this.status.quarantine(tx, device, health.health, health.quarantineReason);
      }
    });
  }
}

/** The app's state history: ISO dates (Gson) or epoch milliseconds (older app versions). */
function parseStates(
  raw: Record<string, string | number>,
  now: number,
): Partial<Record<AppState, number>> {
  const out: Partial<Record<AppState, number>> = {};
  for (const [state, value] of Object.entries(raw)) {
    const at = typeof value === 'number' ? value : Date.parse(value);
    if (!Number.isFinite(at)) continue;
    out[state as AppState] = at > now + MAX_FUTURE_SKEW_MS ? now : at;
  }
  return out;
}
