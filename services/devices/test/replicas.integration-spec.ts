// Several replicas: the phone's SSE stream is held by one replica while another consumes the
// dispatch command; PostgreSQL LISTEN/NOTIFY wakes the phone anyway.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { devicesV1, Topics } from '@switchboard/contracts';
import { DeviceWakeups } from '../src/presence/device-wakeups';
import {
  startDevicesHarness,
  startReplica,
  type DevicesHarness,
  type Replica,
} from './support/devices-harness';
import { eventually, PhoneFleet } from './support/phones';

describe('replicas', () => {
  let h: DevicesHarness;
  let apiOnly: Replica;
  let fleet: PhoneFleet;

  beforeAll(async () => {
    h = await startDevicesHarness();
    // Holds the phone's stream, consumes nothing: only a NOTIFY can tell it about a dispatch.
    apiOnly = await startReplica(h, { KAFKA_CONSUME: 'false' });
    fleet = new PhoneFleet(h);
  });

  afterAll(async () => {
    await fleet?.stopAll();
    await apiOnly?.close();
    await h?.close();
  });

  it('wakes a phone connected to another replica when its queue changes', async () => {
    const org = randomUUID();
    const states = await h.watch(Topics.devices.messageState);
    const phone = await fleet.phone(org, { apiUrl: apiOnly.apiUrl });
    expect(apiOnly.app.get(DeviceWakeups).openStreams).toBe(1);
    expect(h.app.get(DeviceWakeups).openStreams).toBe(0);
    const pullsBefore = phone.stats.pulls;

    const messageId = randomUUID();
    await h.dispatch({ orgId: org, messageId });
    await states.waitFor(
      (e) => e.key === messageId && e.message.state === devicesV1.MessageState.DELIVERED,
    );
    expect(phone.stats.pulls).toBeGreaterThan(pullsBefore);
  });

  it('delivers a NOTIFY to the stream on whichever replica holds it', async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org, { apiUrl: apiOnly.apiUrl });
    const before = phone.stats.pulls;
    await h.app.get(DeviceWakeups).notify(h.app.get(DataSource), phone.deviceId!);
    await eventually(() => expect(phone.stats.pulls).toBeGreaterThan(before));
  });
});
