import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { DataSource, type EntityManager } from 'typeorm';
import type { devicesV1 } from '@switchboard/contracts';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DeviceEventsWriter } from '../common/device-events.writer';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import {
  normalizeDeviceError,
  transitionsFor,
  type AppState,
  type StateReport,
} from '../domain/message-states';
import { DAY_MS, planHandout, type Handout } from '../domain/pacing';
import { toE164 } from '../domain/phone-numbers';
import { countSegments } from '@switchboard/sms';
import { FleetRepository } from '../fleet/fleet.repository';
import { FleetService, statusOf, type DeviceIdentity } from '../fleet/fleet.service';
import { DeviceWakeups } from '../presence/device-wakeups';
import { QUEUE_COLUMNS, QueueService, refOf, type QueueRow } from './queue.service';

/** A message as `GET /message` hands it to the app (client-go MobileMessage). */
export interface MobileMessage {
  id: string;
  message: string;
  textMessage: { text: string };
  dataMessage: null;
  phoneNumbers: string[];
  simNumber: number | null;
  withDeliveryReport: boolean;
  isEncrypted: boolean;
  ttl: number | null;
  validUntil: string | null;
  scheduleAt: string | null;
  priority: number;
  state: 'Pending' | 'Cancelling';
  createdAt: string;
}

/** One item of `PATCH /message` (client-go MobilePatchMessageItem), already validated. */
export interface StateReportItem {
  id: string;
  state: AppState;
  recipients: { phoneNumber: string; state: AppState; error?: string | null }[];
  states: Record<string, string | number>;
}

/** The app takes at most this many messages per pull (the reference server's maxPendingBatch). */
export const MAX_PENDING_BATCH = 100;
/** Device clocks more than this ahead of ours are not believed. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * The send path on the devices side: dispatch commands from messaging become queue rows given
 * to devices (or pooled), devices pull what their pacing budget allows, and their state reports
 * become MessageStateEvents.
 */
@Injectable()
export class DispatchService {
  private readonly handedOut;
  private readonly reported;

  constructor(
    metrics: Metrics,
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly dataSource: DataSource,
    private readonly queue: QueueService,
    private readonly fleet: FleetService,
    private readonly repo: FleetRepository,
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
   * A `DispatchMessage` command, in the consumer's tenant transaction. Idempotent per
   * (message, attempt). The message goes to a device (DISPATCHED) or waits in the pool.
   */
  async dispatch(
    tx: EntityManager,
    command: devicesV1.DispatchCommand,
    dispatch: devicesV1.DispatchMessage,
  ): Promise<void> {
    const messageId = command.messageId;
    const to = toE164(dispatch.to?.e164);
    if (!messageId || messageId.length > 64) throw invalidCommand('message_id missing or too long');
    if (!to) throw invalidCommand('to is not an E.164 number');
    if (!dispatch.body) throw invalidCommand('body is empty');
    const attempt = dispatch.attempt || 1;
    const existing: unknown[] = await tx.query(
      `SELECT 1 FROM device_messages WHERE message_id = $1 AND attempt = $2`,
      [messageId, attempt],
    );
    if (existing.length > 0) return; // the same command again
    await this.repo.registerTenant(tx, command.orgId);
    await this.supersede(tx, messageId, attempt);

    const now = this.clock.now();
    const segments = dispatch.segments || countSegments(dispatch.body);
    const validUntil = dispatch.validUntil ? timestampDate(dispatch.validUntil) : null;
    const excluded = dispatch.excludedDeviceIds.filter(isUuid);
    const preferred = isUuid(dispatch.deviceId) ? dispatch.deviceId : null;
    const [row]: QueueRow[] = await tx.query(
      `INSERT INTO device_messages
         (org_id, id, message_id, attempt, state, to_e164, body, segments, encoding,
          requested_sim, preferred_device_id, excluded_device_ids, valid_until, priority,
          created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'POOLED', $5, $6, $7, $8, $9, $10, $11::uuid[], $12, $13, $14, $14)
       RETURNING ${QUEUE_COLUMNS}`,
      [
        command.orgId,
        randomUUID(),
        messageId,
        attempt,
        to,
        dispatch.body,
        segments,
        dispatch.encoding ? String(dispatch.encoding) : null,
        dispatch.simNumber || null,
        preferred,
        excluded,
        validUntil,
        Math.min(attempt - 1, 99),
        now,
      ],
    );
    if (segments > this.config.MAX_SEND_RATE_PER_MINUTE) {
      await this.finish(tx, row, 'FAILED', now, {
        errorCode: 'LIMIT_EXCEEDED',
        reason: 'more segments than a device may send per minute',
      });
      return;
    }
    if (validUntil && validUntil <= now) {
      await this.finish(tx, row, 'EXPIRED', now, {
        reason: 'valid_until passed before a device took it',
      });
      return;
    }
    await this.queue.assign(tx, [row]);
  }

  /** A `CancelDispatch` command, in the consumer's tenant transaction. */
  async cancel(
    tx: EntityManager,
    command: devicesV1.DispatchCommand,
    reason: string,
  ): Promise<void> {
    const rows: QueueRow[] = await tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE message_id = $1 AND state IN ('POOLED', 'QUEUED', 'HANDED_OUT', 'PROCESSED')
        FOR UPDATE`,
      [command.messageId],
    );
    const now = this.clock.now();
    for (const row of rows) {
      if (row.state === 'HANDED_OUT' || row.state === 'PROCESSED') {
        await this.requestCancel(tx, row, now);
      } else {
        await this.finish(tx, row, 'CANCELED', now, { reason: reason || 'canceled' });
      }
    }
  }

  /**
   * `GET /message`: what the device should work on — messages it already holds (handed out or
   * to be canceled) and as many queued ones as its pacing budget allows right now, at most 100.
   * When messages wait for the budget, a wake-up is scheduled for when it allows the next one.
   */
  async handout(identity: DeviceIdentity, order: 'lifo' | 'fifo'): Promise<MobileMessage[]> {
    const now = this.clock.now();
    const result = await inTenantTransaction(this.dataSource, identity.orgId, async (tx) => {
      // The lock serializes pulls of one device: two at once can't both spend the budget.
      const device = await this.repo.device(tx, identity.deviceId, { lock: true });
      if (!device) return { messages: [] as QueueRow[], nextAt: null };
      await tx.query(`UPDATE devices SET last_pull_at = $2 WHERE id = $1`, [device.id, now]);
      await this.expireQueued(tx, device.id, now);
      const held: QueueRow[] = await tx.query(
        `SELECT ${QUEUE_COLUMNS} FROM device_messages
          WHERE device_id = $1
            AND (state = 'HANDED_OUT' OR (state = 'PROCESSED' AND cancel_requested))
          ORDER BY handed_out_at, id LIMIT $2`,
        [device.id, MAX_PENDING_BATCH],
      );
      let nextAt: number | null = null;
      let handed: QueueRow[] = [];
      if (statusOf(device) === 'ONLINE' && held.length < MAX_PENDING_BATCH) {
        const queued: QueueRow[] = await tx.query(
          `SELECT ${QUEUE_COLUMNS} FROM device_messages
            WHERE device_id = $1 AND state = 'QUEUED'
            ORDER BY priority DESC, created_at ${order === 'fifo' ? 'ASC' : 'DESC'}, id
            LIMIT $2`,
          [device.id, MAX_PENDING_BATCH - held.length],
        );
        const recent: { at: Date; segments: number; simNumber: number | null }[] = await tx.query(
          `SELECT handed_out_at AS at, segments, sim_number AS "simNumber"
               FROM device_messages WHERE device_id = $1 AND handed_out_at > $2`,
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
        nextAt = plan.nextAt;
        const chosen = new Set(plan.handOut);
        handed = queued.filter((row) => chosen.has(row.id));
        if (handed.length > 0) {
          await tx.query(
            `UPDATE device_messages SET state = 'HANDED_OUT', handed_out_at = $2, updated_at = $2
              WHERE id = ANY($1::uuid[])`,
            [handed.map((r) => r.id), now],
          );
        }
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
      // The latest attempt this device had of each message, locked.
      const rows: QueueRow[] = await tx.query(
        `SELECT ${QUEUE_COLUMNS} FROM device_messages
          WHERE id IN (SELECT DISTINCT ON (message_id) id FROM device_messages
                        WHERE device_id = $1 AND message_id = ANY($2::text[])
                        ORDER BY message_id, attempt DESC)
          FOR UPDATE`,
        [identity.deviceId, [...new Set(items.map((i) => i.id))]],
      );
      const byMessage = new Map(rows.map((r) => [r.messageId, r]));
      const outcomes: ('success' | 'failure')[] = [];
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
          await tx.query(
            `UPDATE device_messages
                SET state = $2, updated_at = $3,
                    processed_at = CASE WHEN $2 = 'PROCESSED' THEN $4 ELSE processed_at END,
                    sent_at = CASE WHEN $2 = 'SENT' THEN $4 ELSE sent_at END,
                    delivered_at = CASE WHEN $2 = 'DELIVERED' THEN $4 ELSE delivered_at END,
                    failed_at = CASE WHEN $2 = 'FAILED' THEN $4 ELSE failed_at END,
                    canceled_at = CASE WHEN $2 = 'CANCELED' THEN $4 ELSE canceled_at END,
                    error_code = COALESCE($5, error_code),
                    error_message = COALESCE($6, error_message),
                    body = CASE WHEN $2 IN ('DELIVERED', 'FAILED', 'CANCELED') THEN '' ELSE body END
              WHERE id = $1`,
            [
              row.id,
              step.state,
              now,
              at,
              failure?.errorCode ?? null,
              failure ? failure.errorMessage.slice(0, 2000) : null,
            ],
          );
          await this.events.messageState(tx, refOf(row), step.state, { at, ...failure });
          this.reported.inc({ state: step.state });
          if (step.state === 'SENT' || step.state === 'DELIVERED' || step.state === 'FAILED') {
            const counter = {
              SENT: 'sent_count',
              DELIVERED: 'delivered_count',
              FAILED: 'failed_count',
            }[step.state];
            await tx.query(`UPDATE devices SET ${counter} = ${counter} + 1 WHERE id = $1`, [
              identity.deviceId,
            ]);
          }
          // Sending is the device's job; what happens after SENT (delivery) is the network's.
          if (step.state === 'SENT') outcomes.push('success');
          else if (step.state === 'FAILED' && row.state !== 'SENT') outcomes.push('failure');
          row.state = step.state;
        }
      }
      // After the reports: a quarantine releases what is still open, not what was just reported.
      for (const outcome of outcomes) {
        await this.fleet.recordOutcome(tx, identity.deviceId, outcome);
      }
    });
  }

  /** Ends a row the devices service decides about itself (no device report). */
  private async finish(
    tx: EntityManager,
    row: QueueRow,
    state: 'FAILED' | 'EXPIRED' | 'CANCELED',
    now: Date,
    extra: { errorCode?: string; reason: string },
  ): Promise<void> {
    const column = { FAILED: 'failed_at', EXPIRED: 'expired_at', CANCELED: 'canceled_at' }[state];
    await tx.query(
      `UPDATE device_messages SET state = $2, ${column} = $3, updated_at = $3, body = '',
              error_code = $4
        WHERE id = $1`,
      [row.id, state, now, extra.errorCode ?? null],
    );
    await this.events.messageState(tx, refOf(row), state, { at: now, ...extra });
  }

  /**
   * The phone holds the message: ask it to cancel (SSE MessageCancelled, and `Cancelling` in
   * the next pull). Its report decides: Cancelled, or Sent if it was too late.
   */
  private async requestCancel(tx: EntityManager, row: QueueRow, now: Date): Promise<void> {
    if (row.cancelRequested) return;
    await tx.query(
      `UPDATE device_messages SET cancel_requested = true, updated_at = $2 WHERE id = $1`,
      [row.id, now],
    );
    await this.wakeups.notify(tx, row.deviceId!, 'MessageCancelled', {
      messageId: row.messageId,
    });
  }

  /** Queued messages of the device whose validity ended. */
  private async expireQueued(tx: EntityManager, deviceId: string, now: Date): Promise<void> {
    const due: QueueRow[] = await tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE device_id = $1 AND state = 'QUEUED' AND valid_until <= $2`,
      [deviceId, now],
    );
    for (const row of due) {
      await this.finish(tx, row, 'EXPIRED', now, {
        reason: 'valid_until passed before the device took it',
      });
    }
  }

  /**
   * A new attempt replaces older ones still open (messaging only re-dispatches after a
   * release or failure, so this is a safety net): waiting rows end CANCELED, a phone holding
   * one is asked to cancel it.
   */
  private async supersede(tx: EntityManager, messageId: string, attempt: number): Promise<void> {
    const open: QueueRow[] = await tx.query(
      `SELECT ${QUEUE_COLUMNS} FROM device_messages
        WHERE message_id = $1 AND attempt < $2
          AND state IN ('POOLED', 'QUEUED', 'HANDED_OUT', 'PROCESSED')
        FOR UPDATE`,
      [messageId, attempt],
    );
    if (open.length === 0) return;
    const now = this.clock.now();
    for (const row of open) {
      if (row.state === 'HANDED_OUT' || row.state === 'PROCESSED') {
        await this.requestCancel(tx, row, now);
      } else {
        await this.finish(tx, row, 'CANCELED', now, { reason: `superseded by attempt ${attempt}` });
      }
    }
  }
}

export function toMobileMessage(row: QueueRow): MobileMessage {
  return {
    id: row.messageId,
    message: row.body,
    textMessage: { text: row.body },
    dataMessage: null,
    phoneNumbers: [row.toE164],
    simNumber: row.simNumber,
    withDeliveryReport: true,
    isEncrypted: false,
    ttl: null,
    validUntil: row.validUntil ? row.validUntil.toISOString() : null,
    scheduleAt: null,
    // Below 100: the app's own limits and delays stay in force (>= 100 bypasses them).
    priority: Math.min(row.priority, 99),
    state: row.cancelRequested ? 'Cancelling' : 'Pending',
    createdAt: row.createdAt.toISOString(),
  };
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

function isUuid(value: string | undefined): value is string {
  return !!value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function invalidCommand(why: string): DevicesException {
  return new DevicesException(DevicesErrorCode.INVALID_COMMAND, `Invalid dispatch: ${why}`);
}
