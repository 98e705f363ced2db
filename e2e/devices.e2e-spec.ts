// The device fleet end to end, through the gateway and the device agent: enrollment, pacing,
// offline detection and release, inbound SMS, tenant isolation. The e2e platform runs the
// devices service with a 3-second pacing window and quick offline detection (startPlatform).
import { randomUUID } from 'node:crypto';
import { devicesV1, Topics } from '@switchboard/contracts';
import { EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { SimulatedPhone, type AgentLogEntry } from '@switchboard/device-agent';
import { platform } from './platform';
import { customer, until } from './support';

const p = platform();
const PACING_WINDOW_MS = 3000;
/** The agent logs when a message arrives, a few ms after the server counted it out. */
const CLOCK_SLACK_MS = 150;

const phones: SimulatedPhone[] = [];
afterAll(async () => {
  for (const phone of phones) await phone.stop().catch(() => undefined);
});

const deviceStatus = async (api: GraphQLClient, id: string) =>
  (
    await api.expectData<{ device: { status: string; queueDepth: number } | null }>(
      'query($id: ID!) { device(id: $id) { status queueDepth } }',
      { id },
    )
  ).device;

async function enroll(api: GraphQLClient, log: AgentLogEntry[] = [], sendDelayMs = 50) {
  const { createDeviceEnrollment } = await api.expectData<{
    createDeviceEnrollment: { token: string; apiUrl: string };
  }>('mutation { createDeviceEnrollment(name: "e2e fleet") { token apiUrl } }');
  expect(createDeviceEnrollment.apiUrl).toMatch(/\/api\/mobile\/v1$/);
  const phone = new SimulatedPhone({
    apiUrl: `${p.url('devices')}/api/mobile/v1`,
    sendDelayMs,
    deliveryDelayMs: 50,
    outcomes: { delivered: 1, sent: 0, failed: 0 },
    log: (entry) => log.push(entry),
  });
  const { deviceId } = await phone.enroll(createDeviceEnrollment.token);
  await phone.start();
  phones.push(phone);
  await until('ONLINE', async () => (await deviceStatus(api, deviceId))?.status === 'ONLINE');
  return { phone, deviceId };
}

const send = (api: GraphQLClient, body: string) =>
  api.expectData<{ sendMessage: { id: string } }>(
    'mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }',
    {
      input: { to: '+14155550140', body },
    },
  );

describe('the device fleet', () => {
  it('never hands a phone more segments per window than its send rate', async () => {
    const { api } = await customer('pacing');
    const log: AgentLogEntry[] = [];
    const { deviceId } = await enroll(api, log);
    await api.expectData(
      'mutation($id: ID!) { updateDevice(id: $id, input: { sendRatePerMinute: 4 }) { id } }',
      { id: deviceId },
    );
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await send(api, `paced ${i}`)).sendMessage.id);
    await until(
      'all 10 handed out',
      async () => log.filter((e) => e.event === 'handout').length >= 10,
      45_000,
    );
    const handouts = log.filter((e) => e.event === 'handout').map((e) => e.t);
    // Read from the agent's own log: in no window did the phone get more than its budget.
    for (const start of handouts) {
      const inWindow = handouts.filter(
        (t) => t >= start && t < start + PACING_WINDOW_MS - CLOCK_SLACK_MS,
      ).length;
      expect(inWindow).toBeLessThanOrEqual(4);
    }
    expect(Math.max(...handouts) - Math.min(...handouts)).toBeGreaterThanOrEqual(PACING_WINDOW_MS);
  });

  it('marks a phone that went away OFFLINE and releases its queue', async () => {
    const { api } = await customer('offline');
    const { phone, deviceId } = await enroll(api, [], 60_000);
    await api.expectData(
      'mutation($id: ID!) { updateDevice(id: $id, input: { sendRatePerMinute: 1 }) { id } }',
      { id: deviceId },
    );
    const states = await EventWatcher.start(Topics.devices.messageState);
    try {
      const queued = [];
      for (let i = 0; i < 3; i++) queued.push((await send(api, `queued ${i}`)).sendMessage.id);
      await until(
        'the messages queued on the phone',
        async () => ((await deviceStatus(api, deviceId))?.queueDepth ?? 0) >= 2,
      );
      await phone.stop(); // the agent is killed: no SSE, no requests
      await until(
        'OFFLINE',
        async () => (await deviceStatus(api, deviceId))?.status === 'OFFLINE',
        30_000,
      );
      const released = await states.waitFor(
        (e) =>
          e.message.deviceId === deviceId && e.message.state === devicesV1.MessageState.RELEASED,
        30_000,
      );
      expect(queued).toContain(released.message.messageId);
    } finally {
      await states.stop();
    }
  });

  it('turns an SMS the phone receives into an inbound event', async () => {
    const { api, orgId } = await customer('inbound');
    const { phone, deviceId } = await enroll(api);
    const inbound = await EventWatcher.start(Topics.devices.inbound);
    try {
      const text = `reply ${randomUUID().slice(0, 8)}`;
      await phone.receive('+14155550141', text);
      const event = await inbound.waitFor((e) => e.message.body === text);
      expect(event.message).toMatchObject({ orgId, deviceId });
      expect(event.message.from?.e164).toBe('+14155550141');
    } finally {
      await inbound.stop();
    }
  });

  it("keeps one organization's devices out of another's reach", async () => {
    const a = await customer('fleet-a');
    const b = await customer('fleet-b');
    const { deviceId } = await enroll(a.api);
    expect(await deviceStatus(b.api, deviceId)).toBeNull();
    const list = await b.api.expectData<{ devices: { id: string }[] }>('{ devices { id } }');
    expect(list.devices.map((d) => d.id)).not.toContain(deviceId);
    const rename = await b.api.errorCodes(
      'mutation($id: ID!) { updateDevice(id: $id, input: { name: "mine now" }) { id } }',
      { id: deviceId },
    );
    expect(rename.length).toBeGreaterThan(0);
    expect((await deviceStatus(a.api, deviceId))?.status).toBe('ONLINE');
  });
});
