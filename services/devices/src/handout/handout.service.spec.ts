import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Metrics } from '@switchboard/observability';
import { ManualClock } from '@switchboard/testing';
import type { DevicesConfig } from '../config';
import type { DeviceEventsWriter } from '../common/device-events.writer';
import type { ReportedState } from '../domain/message-states';
import type { DeviceRow } from '../fleet/device.record';
import type { DeviceStatusService } from '../fleet/device-status.service';
import type { FleetRepository } from '../fleet/fleet.repository';
import type { DeviceWakeups } from '../presence/device-wakeups';
import { AssignmentService, pacingMargin } from '../queue/assignment.service';
import type { QueueRepository, ReportedRow } from '../queue/queue.repository';
import type { QueueRow } from '../queue/queue-row.record';
import { HandoutService, MAX_PENDING_BATCH } from './handout.service';

const WINDOW_MS = 60_000;
const ORG = '00000000-0000-4000-8000-000000000001';
const DEVICE = '00000000-0000-4000-8000-0000000000d1';

/** device_messages of one device, in memory: the queue repository's methods the handout uses. */
class FakeQueue {
  rows: QueueRow[] = [];
  /** What each report's row write said. */
  written: ReportedRow[][] = [];

  held(_tx: EntityManager, deviceId: string, limit: number) {
    return Promise.resolve(
      this.rows
        .filter(
          (r) =>
            r.deviceId === deviceId &&
            (r.state === 'HANDED_OUT' || (r.state === 'PROCESSED' && r.cancelRequested)),
        )
        .slice(0, limit),
    );
  }
  queued(_tx: EntityManager, deviceId: string, order: 'lifo' | 'fifo', limit: number) {
    const queued = this.rows.filter((r) => r.deviceId === deviceId && r.state === 'QUEUED');
    const sorted = [...queued].sort((a, b) =>
      order === 'fifo'
        ? a.createdAt.getTime() - b.createdAt.getTime()
        : b.createdAt.getTime() - a.createdAt.getTime(),
    );
    return Promise.resolve(sorted.slice(0, limit));
  }
  async forPull(
    tx: EntityManager,
    deviceId: string,
    order: 'lifo' | 'fifo',
    limit: number,
    now: Date,
  ) {
    const expired = (r: QueueRow) => r.validUntil !== null && r.validUntil <= now;
    return {
      held: await this.held(tx, deviceId, limit),
      queued: (await this.queued(tx, deviceId, order, Infinity))
        .filter((r) => !expired(r))
        .slice(0, limit),
      expired: this.rows.filter(
        (r) => r.deviceId === deviceId && r.state === 'QUEUED' && expired(r),
      ),
    };
  }
  handoutsSince(_tx: EntityManager, deviceId: string, since: Date) {
    return Promise.resolve(
      this.rows
        .filter((r) => r.deviceId === deviceId && r.handedOutAt && r.handedOutAt > since)
        .map((r) => ({ at: r.handedOutAt!, segments: r.segments, simNumber: r.simNumber })),
    );
  }
  markHandedOut(_tx: EntityManager, ids: string[], now: Date) {
    for (const row of this.rows) {
      if (ids.includes(row.id)) Object.assign(row, { state: 'HANDED_OUT', handedOutAt: now });
    }
    return Promise.resolve();
  }
  latestOfDevice(_tx: EntityManager, deviceId: string, messageIds: string[]) {
    return Promise.resolve(
      this.rows
        .filter((r) => r.deviceId === deviceId && messageIds.includes(r.messageId))
        .map((r) => ({ ...r })),
    );
  }
  reportedStatement(reported: ReportedRow[]) {
    if (reported.length === 0) return undefined;
    this.written.push(reported);
    for (const r of reported) this.rows.find((row) => row.id === r.id)!.state = r.state;
    return { text: 'UPDATE device_messages', values: [] };
  }
}

function device(overrides: Partial<DeviceRow> = {}): DeviceRow {
  const now = new Date();
  return {
    id: DEVICE,
    orgId: ORG,
    name: 'Google/pixel_7',
    manufacturer: 'Google',
    model: 'pixel_7',
    appVersion: '1.40.0',
    pushToken: null,
    connected: true,
    approved: true,
    enabled: true,
    quarantinedAt: null,
    quarantineReason: null,
    sendRatePerMinute: 3,
    dailyLimit: null,
    simPolicy: 'BALANCED',
    lastSeenAt: now,
    offlineSince: null,
    healthScore: 100,
    consecutiveFailures: 0,
    outcomes: 0,
    sentCount: 0,
    deliveredCount: 0,
    failedCount: 0,
    webhookSigningKey: 'sealed',
    createdAt: now,
    removedAt: null,
    ...overrides,
  };
}

function newTestHandout(deviceRow: DeviceRow = device(), margin = 0) {
  const clock = new ManualClock();
  clock.set(new Date('2030-01-01T12:00:00Z'));
  const queue = new FakeQueue();
  const tx = { query: jest.fn().mockResolvedValue([]) } as unknown as EntityManager;
  const dataSource = {
    transaction: (work: (manager: EntityManager) => Promise<unknown>) => work(tx),
  } as unknown as DataSource;
  const fleet = {
    device: jest.fn().mockImplementation(() => Promise.resolve(deviceRow)),
    pulled: jest.fn().mockImplementation(() => Promise.resolve(deviceRow)),
    reportedStatement: jest.fn(
      (_id: string, counted: { sent: number; delivered: number; failed: number }) =>
        counted.sent + counted.delivered + counted.failed > 0
          ? { text: 'UPDATE devices', values: [] }
          : undefined,
    ),
  };
  const finished: { row: QueueRow; state: string }[] = [];
  const config = {
    PACING_WINDOW_MS: WINDOW_MS,
    PACING_MARGIN_MS: margin,
  } as DevicesConfig;
  // The pacing plan is the real one, over the fake queue.
  const planner = new AssignmentService(
    config,
    clock,
    queue as unknown as QueueRepository,
    fleet as unknown as FleetRepository,
    {} as DeviceEventsWriter,
    {} as DeviceWakeups,
  );
  const assignment = {
    planHandout: planner.planHandout.bind(planner),
    finish: jest.fn((_tx: EntityManager, row: QueueRow, state: string) => {
      finished.push({ row, state });
      row.state = state as QueueRow['state'];
      return Promise.resolve();
    }),
  };
  const outcomes: string[] = [];
  const status = {
    healthAfter: jest.fn((row: DeviceRow, reported: string[]) => {
      outcomes.push(...reported);
      const failures = reported.filter((o) => o !== 'success').length;
      return {
        health: { score: row.healthScore, consecutiveFailures: failures, outcomes: 0 },
        quarantineReason: failures >= 2 ? `${failures} consecutive failures` : null,
      };
    }),
    quarantine: jest.fn().mockResolvedValue(undefined),
  };
  const events: { messageId: string; state: ReportedState; errorCode?: string }[] = [];
  const writer = {
    messageStatesStatement: jest.fn(
      (
        states: {
          ref: { messageId: string };
          state: ReportedState;
          extra: { errorCode?: string };
        }[],
      ) => {
        for (const { ref, state, extra } of states) {
          events.push({ messageId: ref.messageId, state, errorCode: extra.errorCode });
        }
        return states.length > 0 ? { text: 'INSERT INTO outbox', values: [] } : undefined;
      },
    ),
  };
  const wakeAt: number[] = [];
  const wakeups = { wakeAt: jest.fn((_r: unknown, _d: string, at: number) => wakeAt.push(at)) };
  const metrics = { counter: () => ({ inc: () => undefined }) } as unknown as Metrics;
  const service = new HandoutService(
    metrics,
    config,
    dataSource,
    queue as unknown as QueueRepository,
    fleet as unknown as FleetRepository,
    assignment as unknown as AssignmentService,
    status as unknown as DeviceStatusService,
    writer as unknown as DeviceEventsWriter,
    wakeups as unknown as DeviceWakeups,
    clock,
  );
  const enqueue = (overrides: Partial<QueueRow> = {}): QueueRow => {
    const row: QueueRow = {
      id: randomUUID(),
      orgId: ORG,
      messageId: randomUUID(),
      attempt: 1,
      deviceId: DEVICE,
      state: 'QUEUED',
      toE164: '+14155550123',
      body: 'hello',
      segments: 1,
      requestedSim: null,
      simNumber: null,
      preferredDeviceId: null,
      excludedDeviceIds: [],
      validUntil: null,
      priority: 0,
      createdAt: new Date(clock.now().getTime() - 1000 + queue.rows.length),
      handedOutAt: null,
      cancelRequested: false,
      ...overrides,
    };
    queue.rows.push(row);
    return row;
  };
  const identity = { deviceId: DEVICE, orgId: ORG };
  return {
    service,
    clock,
    queue,
    fleet,
    status,
    tx,
    finished,
    outcomes,
    events,
    wakeAt,
    enqueue,
    identity,
  };
}

describe('HandoutService.handout (GET /message)', () => {
  it('hands out only what the pacing window allows and schedules a wake-up for the rest', async () => {
    const t = newTestHandout(device({ sendRatePerMinute: 3 }));
    const rows = [t.enqueue(), t.enqueue(), t.enqueue(), t.enqueue(), t.enqueue()];

    const first = await t.service.handout(t.identity, 'fifo');

    expect(first.map((m) => m.id)).toEqual(rows.slice(0, 3).map((r) => r.messageId));
    expect(first.every((m) => m.state === 'Pending')).toBe(true);
    expect(t.queue.rows.filter((r) => r.state === 'HANDED_OUT')).toHaveLength(3);
    // The fourth fits when the first handout leaves the window.
    const firstAt = rows[0].handedOutAt!.getTime();
    expect(t.wakeAt).toHaveLength(1);
    expect(t.wakeAt[0] - firstAt).toBeGreaterThanOrEqual(WINDOW_MS);
    expect(t.wakeAt[0] - firstAt).toBeLessThanOrEqual(WINDOW_MS + 1);
  });

  it('re-sends what the device holds unchanged and does not spend the budget twice', async () => {
    const t = newTestHandout(device({ sendRatePerMinute: 2 }));
    t.enqueue();
    t.enqueue();
    t.enqueue();
    const first = await t.service.handout(t.identity, 'fifo');
    t.clock.advance(1000);
    const again = await t.service.handout(t.identity, 'fifo');

    expect(again.map((m) => m.id)).toEqual(first.map((m) => m.id));
    expect(t.queue.rows.filter((r) => r.state === 'QUEUED')).toHaveLength(1);
  });

  it('gives the budget back once the window has passed', async () => {
    const t = newTestHandout(device({ sendRatePerMinute: 1 }));
    t.enqueue();
    const second = t.enqueue();
    await t.service.handout(t.identity, 'fifo');
    t.queue.rows[0].state = 'SENT'; // reported: no longer held
    t.clock.advance(WINDOW_MS + 1);

    const later = await t.service.handout(t.identity, 'fifo');
    expect(later.map((m) => m.id)).toEqual([second.messageId]);
  });

  it('keeps a margin on top of the window (PACING_MARGIN_MS): the pull latency cannot squeeze a 31st into a phone minute', async () => {
    const t = newTestHandout(device({ sendRatePerMinute: 1 }), 1000);
    const first = t.enqueue();
    const second = t.enqueue();
    await t.service.handout(t.identity, 'fifo');
    expect(t.wakeAt[0] - first.handedOutAt!.getTime()).toBe(WINDOW_MS + 1000);
    t.queue.rows[0].state = 'SENT';
    t.clock.advance(WINDOW_MS + 1);
    expect(await t.service.handout(t.identity, 'fifo')).toEqual([]);
    t.clock.advance(1000);
    expect((await t.service.handout(t.identity, 'fifo')).map((m) => m.id)).toEqual([
      second.messageId,
    ]);
  });

  it('defaults the margin to a 60th of the window, at most 1 s', () => {
    expect(pacingMargin({ PACING_WINDOW_MS: 60_000 })).toBe(1000);
    expect(pacingMargin({ PACING_WINDOW_MS: 6000 })).toBe(100);
    expect(pacingMargin({ PACING_WINDOW_MS: 3_600_000 })).toBe(1000);
    expect(pacingMargin({ PACING_WINDOW_MS: 60_000, PACING_MARGIN_MS: 0 })).toBe(0);
  });

  it('selects newest first for lifo and oldest first for fifo', async () => {
    const lifo = newTestHandout(device({ sendRatePerMinute: 1 }));
    lifo.enqueue();
    const newest = lifo.enqueue();
    expect((await lifo.service.handout(lifo.identity, 'lifo')).map((m) => m.id)).toEqual([
      newest.messageId,
    ]);

    const fifo = newTestHandout(device({ sendRatePerMinute: 1 }));
    const oldest = fifo.enqueue();
    fifo.enqueue();
    expect((await fifo.service.handout(fifo.identity, 'fifo')).map((m) => m.id)).toEqual([
      oldest.messageId,
    ]);
  });

  it('hands a device out of the pool only what it already holds', async () => {
    for (const state of [{ connected: false }, { enabled: false }, { quarantinedAt: new Date() }]) {
      const t = newTestHandout(device(state));
      const held = t.enqueue({ state: 'HANDED_OUT', handedOutAt: new Date() });
      t.enqueue();
      const messages = await t.service.handout(t.identity, 'fifo');
      expect(messages.map((m) => m.id)).toEqual([held.messageId]);
      expect(t.queue.rows.filter((r) => r.state === 'QUEUED')).toHaveLength(1);
    }
  });

  it('marks a message the device was asked to cancel as Cancelling', async () => {
    const t = newTestHandout();
    const canceling = t.enqueue({
      state: 'PROCESSED',
      handedOutAt: new Date(),
      cancelRequested: true,
    });
    const [message] = await t.service.handout(t.identity, 'fifo');
    expect(message).toMatchObject({ id: canceling.messageId, state: 'Cancelling' });
  });

  it('expires queued messages past valid_until instead of handing them out', async () => {
    const t = newTestHandout();
    const stale = t.enqueue({ validUntil: new Date(t.clock.now().getTime() - 1) });
    const fresh = t.enqueue();
    const messages = await t.service.handout(t.identity, 'fifo');
    expect(messages.map((m) => m.id)).toEqual([fresh.messageId]);
    expect(t.finished).toEqual([expect.objectContaining({ row: stale, state: 'EXPIRED' })]);
  });

  it('takes the device lock (a lease on its budget) and never more than a batch', async () => {
    const t = newTestHandout(device({ sendRatePerMinute: 600 }));
    for (let i = 0; i < MAX_PENDING_BATCH + 5; i++) t.enqueue();
    const messages = await t.service.handout(t.identity, 'fifo');
    expect(messages).toHaveLength(MAX_PENDING_BATCH);
    expect(t.fleet.pulled).toHaveBeenCalledWith(expect.anything(), DEVICE, expect.any(Date));
  });

  it('answers an unknown (removed) device with nothing', async () => {
    const t = newTestHandout();
    t.fleet.pulled.mockResolvedValue(undefined);
    t.enqueue();
    expect(await t.service.handout(t.identity, 'fifo')).toEqual([]);
  });
});

/** The statements the service itself ran on the transaction, its tenant's aside. */
function writesOf(tx: EntityManager): string[] {
  return (tx.query as jest.Mock).mock.calls
    .map(([sql]) => String(sql))
    .filter((sql) => !/set_config/.test(sql));
}

describe('HandoutService.report (PATCH /message)', () => {
  it('turns reports into states, counters and health outcomes; unknown ids change nothing', async () => {
    const t = newTestHandout();
    const sent = t.enqueue({ state: 'HANDED_OUT', handedOutAt: new Date() });
    const failed = t.enqueue({ state: 'HANDED_OUT', handedOutAt: new Date() });
    await t.service.report(t.identity, [
      { id: sent.messageId, state: 'Sent', recipients: [], states: {} },
      {
        id: failed.messageId,
        state: 'Failed',
        recipients: [
          { phoneNumber: '+14155550123', state: 'Failed', error: 'RESULT_ERROR_NO_SERVICE' },
        ],
        states: {},
      },
      { id: 'not-ours', state: 'Sent', recipients: [], states: {} },
    ]);

    expect(t.events.filter((e) => e.messageId === sent.messageId).map((e) => e.state)).toContain(
      'SENT',
    );
    expect(t.events.find((e) => e.messageId === failed.messageId && e.state === 'FAILED')).toEqual(
      expect.objectContaining({ errorCode: 'NO_SERVICE' }),
    );
    expect(t.events.some((e) => e.messageId === 'not-ours')).toBe(false);
    expect(t.fleet.reportedStatement).toHaveBeenCalledWith(
      DEVICE,
      { sent: 1, delivered: 0, failed: 1 },
      expect.objectContaining({ consecutiveFailures: 1 }),
    );
    expect(t.outcomes).toEqual(['success', 'failure']);
    expect(t.status.quarantine).not.toHaveBeenCalled();
    // The rows, their events and the device's counters and health: one statement (besides
    // the transaction's tenant).
    expect(writesOf(t.tx)).toEqual([
      'WITH together_0 AS (UPDATE device_messages), together_1 AS (INSERT INTO outbox) UPDATE devices',
    ]);
  });

  it("writes a row the report moved through several states once, with each state's time", async () => {
    const t = newTestHandout();
    const row = t.enqueue({ state: 'HANDED_OUT', handedOutAt: new Date() });
    const sentAt = Date.parse('2030-01-01T11:59:00Z');
    const deliveredAt = Date.parse('2030-01-01T11:59:30Z');
    await t.service.report(t.identity, [
      {
        id: row.messageId,
        state: 'Delivered',
        recipients: [],
        states: { Processed: sentAt - 1000, Sent: sentAt, Delivered: deliveredAt },
      },
    ]);
    expect(t.events.map((e) => e.state)).toEqual(['PROCESSED', 'SENT', 'DELIVERED']);
    expect(t.queue.written).toEqual([
      [
        {
          id: row.id,
          state: 'DELIVERED',
          at: {
            PROCESSED: new Date(sentAt - 1000),
            SENT: new Date(sentAt),
            DELIVERED: new Date(deliveredAt),
          },
          errorCode: null,
          errorMessage: null,
        },
      ],
    ]);
    expect(t.fleet.reportedStatement).toHaveBeenCalledWith(
      DEVICE,
      { sent: 1, delivered: 1, failed: 0 },
      expect.anything(),
    );
  });

  it('quarantines the device after writing the report when its outcomes call for it', async () => {
    const t = newTestHandout();
    const rows = [1, 2].map(() => t.enqueue({ state: 'HANDED_OUT', handedOutAt: new Date() }));
    await t.service.report(
      t.identity,
      rows.map((r) => ({ id: r.messageId, state: 'Failed' as const, recipients: [], states: {} })),
    );
    expect(t.status.quarantine).toHaveBeenCalledWith(
      t.tx,
      expect.objectContaining({ id: DEVICE }),
      expect.objectContaining({ consecutiveFailures: 2 }),
      '2 consecutive failures',
    );
    const query = t.tx.query as jest.Mock;
    const write = query.mock.calls.findIndex(([sql]) => /^WITH together_0/.test(String(sql)));
    expect(query.mock.invocationCallOrder[write]).toBeLessThan(
      t.status.quarantine.mock.invocationCallOrder[0],
    );
  });

  it('does not count a delivery failure after SENT against the device', async () => {
    const t = newTestHandout();
    const row = t.enqueue({ state: 'SENT', handedOutAt: new Date() });
    await t.service.report(t.identity, [
      { id: row.messageId, state: 'Failed', recipients: [], states: {} },
    ]);
    expect(t.events.map((e) => e.state)).toEqual(['FAILED']);
    expect(t.outcomes).toEqual([]);
  });

  it('repeats change nothing', async () => {
    const t = newTestHandout();
    const row = t.enqueue({ state: 'HANDED_OUT', handedOutAt: new Date() });
    const report = [{ id: row.messageId, state: 'Sent' as const, recipients: [], states: {} }];
    await t.service.report(t.identity, report);
    const after = t.events.length;
    await t.service.report(t.identity, report);
    expect(t.events).toHaveLength(after);
  });
});
