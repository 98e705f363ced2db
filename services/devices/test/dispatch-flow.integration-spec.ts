// The send path end to end on the devices side: a real devices.dispatch.v1 command, the device
// agent receiving it through SSE + pull, its reports coming out on devices.message-state.v1;
// pacing checked from the agent's own log; cancellation; inbound SMS.
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { devicesV1, Topics } from '@switchboard/contracts';
import { recordSqlStatements, type EventWatcher } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { eventually, PhoneFleet } from './support/phones';

const S = devicesV1.MessageState;
const PACING_WINDOW_MS = 2000;
/**
 * Most statements the consumer's transaction of one dispatch command may run, START TRANSACTION
 * and COMMIT included, for a message a phone is waiting for (issue 17): raise it only with a
 * reason.
 */
const MAX_DISPATCH_STATEMENTS = 7;
/**
 * The same for a phone's `GET /message` that takes a message: its authentication's transaction
 * (the device token; then the organization, the device and the API limit in one statement) and
 * the handout's.
 */
const MAX_AUTH_STATEMENTS = 6;
const MAX_HANDOUT_STATEMENTS = 7;
/**
 * The same for each of a phone's state reports (`PATCH /message`): the device's lock, its rows,
 * and the rows, their events and the device's counters and health written in one statement.
 */
const MAX_REPORT_STATEMENTS = 6;

/** Message ids (the topic's key) that the producers' partitioner puts on one partition. */
function messageIdsOfOnePartition(count: number): string[] {
  const partitionOf = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from(
    { length: Topics.devices.dispatch.partitions },
    (_, partitionId) => ({
      partitionId,
      partitionErrorCode: 0,
      leader: 0,
      replicas: [0],
      isr: [0],
    }),
  );
  const of = (key: string) =>
    partitionOf({
      topic: Topics.devices.dispatch.name,
      partitionMetadata,
      message: { key, value: null },
    });
  const first = randomUUID();
  const ids = [first];
  while (ids.length < count) {
    const id = randomUUID();
    if (of(id) === of(first)) ids.push(id);
  }
  return ids;
}

describe('dispatch to phones', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  let states: EventWatcher<typeof devicesV1.MessageStateEventSchema>;

  const statesOf = (messageId: string) =>
    states.events.filter((e) => e.key === messageId).map((e) => e.message.state);

  beforeAll(async () => {
    h = await startDevicesHarness({
      PACING_WINDOW_MS: String(PACING_WINDOW_MS),
      SSE_KEEPALIVE_SECONDS: '0.3',
    });
    fleet = new PhoneFleet(h);
    states = await h.watch(Topics.devices.messageState);
  });

  afterAll(async () => {
    await fleet?.stopAll();
    await h?.close();
  });

  it('delivers a dispatched message and reports every state, keyed and tagged with the org', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    const owner = await h.owner(org);
    const { device } = await owner.expectData<{ device: { status: string } }>(
      `query($id: ID!) { device(id: $id) { status } }`,
      { id: phone.deviceId },
    );
    expect(device.status).toBe('ONLINE');

    const messageId = randomUUID();
    await h.dispatch({ orgId: org, messageId, to: '+14155550123', body: 'Hello from Switchboard' });
    const delivered = await states.waitFor(
      (e) => e.key === messageId && e.message.state === S.DELIVERED,
    );
    expect(statesOf(messageId)).toEqual([S.DISPATCHED, S.PROCESSED, S.SENT, S.DELIVERED]);
    expect(delivered.headers.ce_orgid).toBe(org);
    expect(delivered.message).toMatchObject({
      messageId,
      orgId: org,
      deviceId: phone.deviceId,
      attempt: 1,
      simNumber: 1,
    });
    const handout = fleet.handouts(phone.deviceId).find((e) => e.messageId === messageId);
    expect(handout).toMatchObject({ segments: 1 });
    expect(phone.messages.get(messageId)).toMatchObject({
      phoneNumber: '+14155550123',
      text: 'Hello from Switchboard',
    });

    await eventually(async () => {
      const data = await owner.expectData<{
        device: { sentCount: number; deliveredCount: number; queueDepth: number };
      }>(`query($id: ID!) { device(id: $id) { sentCount deliveredCount queueDepth } }`, {
        id: phone.deviceId,
      });
      expect(data.device).toEqual({ sentCount: 1, deliveredCount: 1, queueDepth: 0 });
    });
    // The body is not kept once the message is done.
    const [row] = await h.sql<{ body: string }>(
      `SELECT body FROM device_messages WHERE message_id = $1`,
      [messageId],
    );
    expect(row.body).toBe('');
  });

  it('reports a failure with our error code and the phone text', async () => {
    const org = randomUUID();
    const raw = 'RESULT_ERROR_NO_SERVICE (Failed because service is currently unavailable)';
    await fleet.phone(org, {
      outcomes: { delivered: 0, sent: 0, failed: 1 },
      errorCodes: [raw],
    });
    const messageId = randomUUID();
    await h.dispatch({ orgId: org, messageId });
    const failed = await states.waitFor((e) => e.key === messageId && e.message.state === S.FAILED);
    expect(failed.message).toMatchObject({ errorCode: 'NO_SERVICE', errorMessage: raw });
  });

  it('never hands a phone more segments per window than its rate (asserted from the agent log)', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    const owner = await h.owner(org);
    await owner.expectData(
      `mutation($id: ID!) { updateDevice(id: $id, input: { sendRatePerMinute: 3 }) { sendRatePerMinute } }`,
      { id: phone.deviceId },
    );
    const ids = Array.from({ length: 8 }, () => randomUUID());
    // Two of the messages take two segments each (GSM-7, 161+ characters).
    for (const [i, messageId] of ids.entries()) {
      await h.dispatch({
        orgId: org,
        messageId,
        body: i % 4 === 1 ? 'x'.repeat(200) : `message ${i}`,
        segments: i % 4 === 1 ? 2 : 1,
      });
    }
    await eventually(() => expect(fleet.handouts(phone.deviceId)).toHaveLength(8), 20_000);
    const handouts = fleet.handouts(phone.deviceId).map((e) => ({
      at: e.receivedAt as number,
      segments: e.segments,
    }));
    expect(handouts.reduce((n, e) => n + e.segments, 0)).toBe(10);
    // Any window of the pacing length (minus network jitter) holds at most 3 segments.
    const windowMs = PACING_WINDOW_MS - 300;
    for (const start of handouts) {
      const inWindow = handouts
        .filter((e) => e.at >= start.at && e.at < start.at + windowMs)
        .reduce((n, e) => n + e.segments, 0);
      expect(inWindow).toBeLessThanOrEqual(3);
    }
    // And pacing did not stall: 10 segments at 3 per window take 3–4 windows.
    const span = handouts[handouts.length - 1].at - handouts[0].at;
    expect(span).toBeGreaterThanOrEqual(3 * PACING_WINDOW_MS - 300);
    expect(span).toBeLessThan(6 * PACING_WINDOW_MS);
    await eventually(() =>
      expect(ids.every((id) => statesOf(id).includes(S.DELIVERED))).toBe(true),
    );
  }, 40_000);

  it('hands a transactional message out before the campaign messages queued ahead of it', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    const owner = await h.owner(org);
    // One segment per pacing window: the queue builds up behind the first message.
    await owner.expectData(
      `mutation($id: ID!) { updateDevice(id: $id, input: { sendRatePerMinute: 1 }) { id } }`,
      { id: phone.deviceId },
    );
    const campaign = Array.from({ length: 4 }, () => randomUUID());
    for (const messageId of campaign) {
      await h.dispatch({ orgId: org, messageId, body: 'Sale today', priority: 10 });
    }
    await eventually(() => expect(fleet.handouts(phone.deviceId)).toHaveLength(1));
    await eventually(async () => {
      const [{ n }] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM device_messages WHERE message_id = ANY($1) AND state = 'QUEUED'`,
        [campaign],
      );
      expect(n).toBe(3);
    });
    const otp = randomUUID();
    await h.dispatch({ orgId: org, messageId: otp, body: 'Your code is 424242', priority: 50 });
    await eventually(() => expect(fleet.handouts(phone.deviceId)).toHaveLength(2), 20_000);
    // The first handout was a campaign message (which one depends on the phone's order); the
    // next is the OTP, ahead of the three campaign messages queued before it.
    const [first, second] = fleet.handouts(phone.deviceId).map((e) => e.messageId);
    expect(campaign).toContain(first);
    expect(second).toBe(otp);
    // The app itself is told nothing that would bypass its own limits (priority < 100).
    expect(phone.messages.get(otp)).toBeDefined();
  }, 40_000);

  it('cancels a queued message (CANCELED) and asks the phone to cancel one it holds', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org, { sendDelayMs: 60_000 });
    const owner = await h.owner(org);
    await owner.expectData(
      `mutation($id: ID!) { updateDevice(id: $id, input: { sendRatePerMinute: 1 }) { id } }`,
      { id: phone.deviceId },
    );
    const held = randomUUID();
    const queued = randomUUID();
    await h.dispatch({ orgId: org, messageId: held });
    await eventually(() => expect(phone.messages.has(held)).toBe(true));
    await h.dispatch({ orgId: org, messageId: queued });
    await states.waitFor((e) => e.key === queued && e.message.state === S.DISPATCHED);

    await h.cancel(org, queued);
    await states.waitFor((e) => e.key === queued && e.message.state === S.CANCELED);
    await h.cancel(org, held);
    await states.waitFor((e) => e.key === held && e.message.state === S.CANCELED);
    expect(phone.messages.get(held)?.state).toBe('Cancelled');
    expect(fleet.handouts(phone.deviceId).map((e) => e.messageId)).toEqual([held]);
  });

  it('replaces an open attempt with a newer one (CANCELED), and applies each attempt once', async () => {
    // No phone: every attempt waits in the pool.
    const org = randomUUID();
    const messageId = randomUUID();
    const rowsOf = () =>
      h.sql<{ attempt: number; state: string }>(
        `SELECT attempt, state FROM device_messages WHERE message_id = $1 ORDER BY attempt`,
        [messageId],
      );
    await h.dispatch({ orgId: org, messageId });
    await eventually(async () => expect(await rowsOf()).toEqual([{ attempt: 1, state: 'POOLED' }]));
    await h.dispatch({ orgId: org, messageId, attempt: 2 });
    const canceled = await states.waitFor(
      (e) => e.key === messageId && e.message.state === S.CANCELED,
    );
    expect(canceled.message).toMatchObject({ attempt: 1, reason: 'superseded by attempt 2' });
    // The same commands again change nothing; a third attempt behind them (same key: in order)
    // replaces the second.
    await h.dispatch({ orgId: org, messageId, attempt: 2 });
    await h.dispatch({ orgId: org, messageId });
    await h.dispatch({ orgId: org, messageId, attempt: 3 });
    await states.waitFor(
      (e) =>
        e.key === messageId &&
        e.message.state === S.CANCELED &&
        e.message.reason === 'superseded by attempt 3',
    );
    await eventually(async () =>
      expect(await rowsOf()).toEqual([
        { attempt: 1, state: 'CANCELED' },
        { attempt: 2, state: 'CANCELED' },
        { attempt: 3, state: 'POOLED' },
      ]),
    );
    expect(statesOf(messageId)).toEqual([S.CANCELED, S.CANCELED]);
  });

  it('turns a signed inbound SMS into one devices.inbound.v1 event', async () => {
    const org = randomUUID();
    const inbound = await h.watch(Topics.devices.inbound);
    const phone = await fleet.phone(org);
    const { status, messageId } = await phone.receive('+14155550199', 'STOP please');
    expect(status).toBe(204);
    const event = await inbound.waitFor((e) => e.message.id === messageId);
    expect(event.key).toBe(org);
    expect(event.headers.ce_orgid).toBe(org);
    expect(event.message).toMatchObject({
      orgId: org,
      deviceId: phone.deviceId,
      from: { e164: '+14155550199' },
      fromRaw: '+14155550199',
      body: 'STOP please',
      simNumber: 1,
    });
    const named = await phone.receive('Google', 'G-123456 is your code');
    const fromName = await inbound.waitFor((e) => e.message.id === named.messageId);
    expect(fromName.message.from?.e164).toBe('');
    expect(fromName.message.fromRaw).toBe('Google');
  });

  it('turns a signed mms:received (a notification, no content) into a devices.inbound.v1 MMS', async () => {
    const org = randomUUID();
    const inbound = await h.watch(Topics.devices.inbound);
    const phone = await fleet.phone(org);
    const { status, messageId } = await phone.receiveMms('+14155550199', {
      subject: 'Photo attachment',
      size: 125_684,
      contentClass: 'IMAGE_BASIC',
    });
    expect(status).toBe(204);
    const event = await inbound.waitFor((e) => e.message.id === messageId);
    expect(event.message).toMatchObject({
      orgId: org,
      deviceId: phone.deviceId,
      from: { e164: '+14155550199' },
      body: 'Photo attachment',
      mms: {
        transactionId: `T${messageId}`,
        size: 125_684n,
        contentClass: 'IMAGE_BASIC',
        mediaUrls: [],
      },
    });
    // An SMS carries no MMS part.
    const sms = await phone.receive('+14155550199', 'plain');
    expect((await inbound.waitFor((e) => e.message.id === sms.messageId)).message.mms).toBe(
      undefined,
    );
  });

  /**
   * The transactions of the platform while one message of a new organization's phone (warmed
   * up: caches and prepared plans settled) goes from its dispatch command to `until`: those
   * that entered its organization (another test's phone may still be taking its last message).
   */
  async function transactionsOfOneMessage(until: devicesV1.MessageState): Promise<string[][]> {
    const org = randomUUID();
    await fleet.phone(org);
    const warm = randomUUID();
    await h.dispatch({ orgId: org, messageId: warm, to: '+14155550123', body: 'warm-up' });
    await states.waitFor((e) => e.key === warm && e.message.state === S.DELIVERED);
    const messageId = randomUUID();
    const log = recordSqlStatements();
    try {
      await h.dispatch({ orgId: org, messageId, to: '+14155550123', body: 'counted' });
      await states.waitFor((e) => e.key === messageId && e.message.state === until);
    } finally {
      log.stop();
    }
    return log.transactions({ tenant: org });
  }

  it('queues a dispatch command in few round trips', async () => {
    const transactions = await transactionsOfOneMessage(S.DISPATCHED);
    const consumed = transactions.filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed).toHaveLength(1);
    if (process.env.PRINT_STATEMENTS) console.log(consumed[0].join('\n'));
    expect(consumed[0].length).toBeLessThanOrEqual(MAX_DISPATCH_STATEMENTS);
  });

  it('hands a message to the phone that pulls it in few round trips', async () => {
    const transactions = await transactionsOfOneMessage(S.PROCESSED);
    const handouts = transactions.filter((tx) =>
      tx.some((s) => /SET state = 'HANDED_OUT'/.test(s)),
    );
    expect(handouts).toHaveLength(1);
    if (process.env.PRINT_STATEMENTS) console.log(handouts[0].join('\n'));
    expect(handouts[0].length).toBeLessThanOrEqual(MAX_HANDOUT_STATEMENTS);
    const authentications = transactions.filter((tx) =>
      tx.some((s) => /device_api_buckets/.test(s)),
    );
    expect(authentications.length).toBeGreaterThanOrEqual(1);
    for (const tx of authentications) expect(tx.length).toBeLessThanOrEqual(MAX_AUTH_STATEMENTS);
  });

  it("takes each of the phone's state reports in few round trips", async () => {
    const transactions = await transactionsOfOneMessage(S.DELIVERED);
    const reports = transactions.filter((tx) =>
      tx.some((s) => /DISTINCT ON \(message_id\)/.test(s)),
    );
    // Processed, Sent, Delivered: the simulated phone reports each on its own (and again when
    // a report failed).
    expect(reports.length).toBeGreaterThanOrEqual(3);
    if (process.env.PRINT_STATEMENTS) console.log(reports.map((tx) => tx.join('\n')).join('\n\n'));
    for (const tx of reports) expect(tx.length).toBeLessThanOrEqual(MAX_REPORT_STATEMENTS);
  });

  it('applies dispatch commands that arrive together in one transaction, each once, spread over the fleet', async () => {
    const org = randomUUID();
    const phones = [await fleet.phone(org), await fleet.phone(org)];
    const ids = messageIdsOfOnePartition(4);
    const log = recordSqlStatements();
    try {
      await h.dispatchAll(ids.map((messageId) => ({ orgId: org, messageId })));
      for (const id of ids) {
        await states.waitFor((e) => e.key === id && e.message.state === S.DISPATCHED);
      }
    } finally {
      log.stop();
    }
    const consumed = log
      .transactions({ tenant: org })
      .filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed).toHaveLength(1);
    const dispatched = states.events.filter(
      (e) => ids.includes(e.key ?? '') && e.message.state === S.DISPATCHED,
    );
    expect(dispatched.map((e) => e.key).sort()).toEqual([...ids].sort());
    // The fleet read once for the batch still sees each assignment: two each, not four on one.
    const perDevice = new Map<string, number>();
    for (const e of dispatched) {
      perDevice.set(e.message.deviceId, (perDevice.get(e.message.deviceId) ?? 0) + 1);
    }
    expect([...perDevice.keys()].sort()).toEqual(phones.map((p) => p.deviceId).sort());
    expect([...perDevice.values()]).toEqual([2, 2]);
    const rows = await h.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM device_messages WHERE message_id = ANY($1::text[])`,
      [ids],
    );
    expect(rows[0].n).toBe('4');
  });

  it('drops dispatch commands it can never apply without blocking the partition', async () => {
    const org = randomUUID();
    await fleet.phone(org);
    const bad = randomUUID();
    await h.dispatch({ orgId: org, messageId: bad, to: 'not-a-number' });
    const good = randomUUID();
    await h.dispatch({ orgId: org, messageId: good });
    await states.waitFor((e) => e.key === good && e.message.state === S.DELIVERED);
    expect(statesOf(bad)).toEqual([]);
    const rows = await h.sql(`SELECT 1 FROM device_messages WHERE message_id = $1`, [bad]);
    expect(rows).toEqual([]);
  });
});
