// Devices coming and going: offline detection and the release of a silent phone's queue, the
// organization pool, expiry, spreading load, and automatic quarantine.
import { randomUUID } from 'node:crypto';
import { devicesV1, Topics } from '@switchboard/contracts';
import { recordSqlStatements, type EventWatcher } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { eventually, PhoneFleet } from './support/phones';

const S = devicesV1.MessageState;
const D = devicesV1.DeviceStatus;

describe('presence, pool and health', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  let states: EventWatcher<typeof devicesV1.MessageStateEventSchema>;
  let devices: EventWatcher<typeof devicesV1.DeviceEventSchema>;

  const statesOf = (messageId: string) =>
    states.events.filter((e) => e.key === messageId).map((e) => e.message.state);

  beforeAll(async () => {
    h = await startDevicesHarness({
      SSE_KEEPALIVE_SECONDS: '0.25',
      DEVICE_OFFLINE_AFTER_SECONDS: '1.5',
      DEVICE_RELEASE_GRACE_SECONDS: '0.5',
      QUARANTINE_AFTER_FAILURES: '3',
    });
    fleet = new PhoneFleet(h);
    states = await h.watch(Topics.devices.messageState);
    devices = await h.watch(Topics.devices.device);
  });

  afterAll(async () => {
    await fleet?.stopAll();
    await h?.close();
  });

  it('marks a phone that stops OFFLINE and releases its queue after the grace period', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    const owner = await h.owner(org);
    await devices.waitFor((e) => e.key === phone.deviceId && e.message.event.case === 'registered');
    // Switched off: no stream, no requests.
    await phone.stop();
    const ids = [randomUUID(), randomUUID()];
    for (const messageId of ids) await h.dispatch({ orgId: org, messageId });
    await Promise.all(
      ids.map((id) => states.waitFor((e) => e.key === id && e.message.state === S.DISPATCHED)),
    );

    const offline = await devices.waitFor(
      (e) =>
        e.key === phone.deviceId &&
        e.message.event.case === 'statusChanged' &&
        e.message.event.value.status === D.OFFLINE,
    );
    expect(offline.message.event.value).toMatchObject({ previousStatus: D.ONLINE });
    for (const messageId of ids) {
      const released = await states.waitFor(
        (e) => e.key === messageId && e.message.state === S.RELEASED,
      );
      expect(released.message).toMatchObject({
        deviceId: phone.deviceId,
        reason: 'device offline',
        attempt: 1,
      });
    }
    const { device } = await owner.expectData<{ device: { status: string; queueDepth: number } }>(
      `query($id: ID!) { device(id: $id) { status queueDepth } }`,
      { id: phone.deviceId },
    );
    expect(device).toEqual({ status: 'OFFLINE', queueDepth: 0 });

    // Back online: it is ONLINE again, and a re-dispatch (attempt 2) reaches it.
    await phone.start();
    await devices.waitFor(
      (e) =>
        e.key === phone.deviceId &&
        e.message.event.case === 'statusChanged' &&
        e.message.event.value.status === D.ONLINE,
    );
    await h.dispatch({ orgId: org, messageId: ids[0], attempt: 2 });
    const delivered = await states.waitFor(
      (e) => e.key === ids[0] && e.message.state === S.DELIVERED,
    );
    expect(delivered.message.attempt).toBe(2);
  });

  it('keeps messages in the pool until a device can take them; DISPATCHED only then, written together', async () => {
    const org = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const messageId of ids) await h.dispatch({ orgId: org, messageId });
    await eventually(async () => {
      const rows = await h.sql<{ state: string }>(
        `SELECT state FROM device_messages WHERE message_id = ANY($1::text[])`,
        [ids],
      );
      expect(rows).toEqual(ids.map(() => ({ state: 'POOLED' })));
    });
    for (const id of ids) expect(statesOf(id)).toEqual([]);
    const log = recordSqlStatements();
    let phone: Awaited<ReturnType<PhoneFleet['phone']>>;
    try {
      phone = await fleet.phone(org);
      for (const id of ids) {
        const dispatched = await states.waitFor(
          (e) => e.key === id && e.message.state === S.DISPATCHED,
        );
        expect(dispatched.message.deviceId).toBe(phone.deviceId);
      }
    } finally {
      log.stop();
    }
    // The pool's rows, the device's stamp, their DISPATCHED events and the wake-up: one
    // statement for all three messages, not four per message.
    const assigning = log
      .transactions({ tenant: org })
      .flat()
      .filter((s) => /UPDATE device_messages m SET state = 'QUEUED'/.test(s));
    expect(assigning).toHaveLength(1);
    expect(assigning[0]).toMatch(/INSERT INTO outbox .*pg_notify/);
    for (const id of ids) {
      await states.waitFor((e) => e.key === id && e.message.state === S.DELIVERED);
    }
  });

  it('expires a message no device took before valid_until', async () => {
    const org = randomUUID();
    const messageId = randomUUID();
    await h.dispatch({ orgId: org, messageId, validUntil: new Date(Date.now() + 500) });
    const expired = await states.waitFor(
      (e) => e.key === messageId && e.message.state === S.EXPIRED,
    );
    expect(expired.message.deviceId).toBe('');
    const late = randomUUID();
    await h.dispatch({ orgId: org, messageId: late, validUntil: new Date(Date.now() - 1000) });
    await states.waitFor((e) => e.key === late && e.message.state === S.EXPIRED);
  });

  it('spreads a burst over the devices and honours exclusions and preferences', async () => {
    const org = randomUUID();
    const a = await fleet.phone(org, { sendDelayMs: 5, deliveryDelayMs: 5 });
    const b = await fleet.phone(org, { sendDelayMs: 5, deliveryDelayMs: 5 });
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const messageId of ids) await h.dispatch({ orgId: org, messageId });
    const dispatched = await Promise.all(
      ids.map((id) => states.waitFor((e) => e.key === id && e.message.state === S.DISPATCHED)),
    );
    const perDevice = new Map<string, number>();
    for (const e of dispatched) {
      perDevice.set(e.message.deviceId, (perDevice.get(e.message.deviceId) ?? 0) + 1);
    }
    expect(perDevice.get(a.deviceId!)).toBeGreaterThanOrEqual(3);
    expect(perDevice.get(b.deviceId!)).toBeGreaterThanOrEqual(3);

    const excluded = randomUUID();
    await h.dispatch({ orgId: org, messageId: excluded, excludedDeviceIds: [a.deviceId!] });
    const onB = await states.waitFor((e) => e.key === excluded && e.message.state === S.DISPATCHED);
    expect(onB.message.deviceId).toBe(b.deviceId);
    const preferred = randomUUID();
    await h.dispatch({ orgId: org, messageId: preferred, deviceId: a.deviceId! });
    const onA = await states.waitFor(
      (e) => e.key === preferred && e.message.state === S.DISPATCHED,
    );
    expect(onA.message.deviceId).toBe(a.deviceId);
  });

  it('quarantines a device after repeated failures and lets the owner put it back', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org, {
      outcomes: { delivered: 0, sent: 0, failed: 1 },
      errorCodes: ['RESULT_ERROR_RADIO_OFF (Failed because radio was explicitly turned off)'],
    });
    const ids = Array.from({ length: 3 }, () => randomUUID());
    for (const messageId of ids) await h.dispatch({ orgId: org, messageId });
    const quarantined = await devices.waitFor(
      (e) =>
        e.key === phone.deviceId &&
        e.message.event.case === 'statusChanged' &&
        e.message.event.value.status === D.QUARANTINED,
    );
    expect(quarantined.message.event.value).toMatchObject({ reason: '3 consecutive failures' });
    const failures = await Promise.all(
      ids.map((id) => states.waitFor((e) => e.key === id && e.message.state === S.FAILED)),
    );
    expect(failures.map((e) => e.message.errorCode)).toEqual([
      'RADIO_OFF',
      'RADIO_OFF',
      'RADIO_OFF',
    ]);

    // A quarantined device is not chosen: the next message waits in the pool.
    const waiting = randomUUID();
    await h.dispatch({ orgId: org, messageId: waiting });
    const owner = await h.owner(org);
    await eventually(async () => {
      const { device } = await owner.expectData<{
        device: { status: string; failedCount: number; healthScore: number };
      }>(`query($id: ID!) { device(id: $id) { status failedCount healthScore } }`, {
        id: phone.deviceId,
      });
      expect(device.status).toBe('QUARANTINED');
      expect(device.failedCount).toBe(3);
      expect(device.healthScore).toBeLessThan(100);
    });
    expect(statesOf(waiting)).toEqual([]);

    const { updateDevice } = await owner.expectData<{ updateDevice: { status: string } }>(
      `mutation($id: ID!) { updateDevice(id: $id, input: { enabled: true }) { status } }`,
      { id: phone.deviceId },
    );
    expect(updateDevice.status).toBe('ONLINE');
    await states.waitFor((e) => e.key === waiting && e.message.state === S.DISPATCHED);
  });

  it('releases the queue of a device the owner disables', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    await phone.stop(); // so messages stay queued
    const messageId = randomUUID();
    await h.dispatch({ orgId: org, messageId });
    await states.waitFor((e) => e.key === messageId && e.message.state === S.DISPATCHED);
    const owner = await h.owner(org);
    await owner.expectData(
      `mutation($id: ID!) { updateDevice(id: $id, input: { enabled: false }) { status } }`,
      { id: phone.deviceId },
    );
    const released = await states.waitFor(
      (e) => e.key === messageId && e.message.state === S.RELEASED,
    );
    expect(released.message.reason).toBe('device disabled');
  });
});
