// Enrollment tokens are single-use unless created with maxUses; a phone from a shared token waits
// for the organization's approval (not in the sending pool) unless the organization turned that
// off; the registered phones of a token are listed with it.
import { randomUUID } from 'node:crypto';
import { devicesV1, Topics } from '@switchboard/contracts';
import type { EventWatcher, GraphQLClient } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { eventually, PhoneFleet } from './support/phones';

const S = devicesV1.MessageState;

describe('enrollment tokens and approval', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  let owner: GraphQLClient;
  let states: EventWatcher<typeof devicesV1.MessageStateEventSchema>;
  const org = randomUUID();

  beforeAll(async () => {
    h = await startDevicesHarness({ SSE_KEEPALIVE_SECONDS: '0.2' });
    fleet = new PhoneFleet(h);
    owner = await h.owner(org);
    states = await h.watch(Topics.devices.messageState);
  });

  afterAll(async () => {
    await fleet?.stopAll();
    await h?.close();
  });

  const register = async (token: string) => {
    const res = await fetch(`${h.apiUrl}/device`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Google/pixel_7' }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  const statusOf = async (id: string) =>
    (
      await owner.expectData<{ device: { status: string } | null }>(
        'query($id: ID!) { device(id: $id) { status } }',
        { id },
      )
    ).device?.status;

  it('is single-use by default: a second phone is refused with a reason', async () => {
    const token = await h.enrollmentToken(org);
    const first = await register(token);
    expect(first.status).toBe(201);
    expect(first.body.status).toBeUndefined();
    expect(await statusOf(first.body.id as string)).toBe('ONLINE');

    const second = await register(token);
    expect(second.status).toBe(403);
    expect(second.body).toMatchObject({ code: 'ENROLLMENT_EXHAUSTED' });
    expect(String(second.body.detail ?? second.body.title)).toMatch(/used up/);
  });

  it('lets maxUses phones register with a shared token; they wait for approval, out of the pool', async () => {
    const { createDeviceEnrollment } = await owner.expectData<{
      createDeviceEnrollment: { id: string; token: string; maxUses: number };
    }>('mutation { createDeviceEnrollment(name: "shop", maxUses: 2) { id token maxUses } }');
    expect(createDeviceEnrollment.maxUses).toBe(2);

    // The device agent reports that it waits.
    const phone = await fleet.phone(org, { enrollmentToken: createDeviceEnrollment.token });
    expect(phone.pendingApproval).toBe(true);
    expect(fleet.log.some((e) => e.event === 'pending-approval')).toBe(true);
    const other = await register(createDeviceEnrollment.token);
    expect(other.status).toBe(201);
    expect(other.body.status).toBe('PENDING_APPROVAL');
    expect((await register(createDeviceEnrollment.token)).status).toBe(403);
    expect(await statusOf(phone.deviceId!)).toBe('PENDING_APPROVAL');

    // The token lists the phones it registered.
    const listed = await owner.expectData<{
      deviceEnrollments: { id: string; uses: number; maxUses: number; devices: { id: string }[] }[];
    }>('{ deviceEnrollments { id uses maxUses devices { id status } } }');
    const shared = listed.deviceEnrollments.find((e) => e.id === createDeviceEnrollment.id)!;
    expect(shared).toMatchObject({ uses: 2, maxUses: 2 });
    expect(shared.devices.map((d) => d.id).sort()).toEqual([phone.deviceId, other.body.id].sort());

    // Not in the sending pool: a message for the organization waits...
    const messageId = randomUUID();
    await h.dispatch({ orgId: org, messageId, excludedDeviceIds: await singleUseDevices() });
    await eventually(async () => {
      const [row] = await h.sql<{ state: string }>(
        'SELECT state FROM device_messages WHERE message_id = $1',
        [messageId],
      );
      expect(row?.state).toBe('POOLED');
    });
    expect(fleet.handouts(phone.deviceId)).toHaveLength(0);

    // ...until the phone is approved: then it takes it.
    const approved = await owner.expectData<{ approveDevice: { status: string } }>(
      'mutation($id: ID!) { approveDevice(id: $id) { status } }',
      { id: phone.deviceId },
    );
    expect(approved.approveDevice.status).toBe('ONLINE');
    const dispatched = await states.waitFor(
      (e) => e.key === messageId && e.message.state === S.DISPATCHED,
    );
    expect(dispatched.message.deviceId).toBe(phone.deviceId);

    // Rejecting the other removes it: its token stops working.
    await owner.expectData('mutation($id: ID!) { rejectDevice(id: $id) }', { id: other.body.id });
    const refused = await fetch(`${h.apiUrl}/message`, {
      headers: { authorization: `Bearer ${other.body.token as string}` },
    });
    expect(refused.status).toBe(401);
    // Only a phone waiting for approval can be rejected.
    const notPending = await owner.request('mutation($id: ID!) { rejectDevice(id: $id) }', {
      id: phone.deviceId,
    });
    expect(notPending.errors?.[0]?.extensions?.code).toBe('DEVICE_NOT_PENDING');
  });

  it('lets phones from a shared token join at once when the organization turned approval off', async () => {
    const settings = await owner.expectData<{
      setDeviceSettings: { requireApprovalForSharedEnrollments: boolean };
    }>(
      'mutation { setDeviceSettings(requireApprovalForSharedEnrollments: false) { requireApprovalForSharedEnrollments } }',
    );
    expect(settings.setDeviceSettings.requireApprovalForSharedEnrollments).toBe(false);
    const token = await h.enrollmentToken(org, 'trusted', { maxUses: 3 });
    const phone = await register(token);
    expect(phone.status).toBe(201);
    expect(phone.body.status).toBeUndefined();
    expect(await statusOf(phone.body.id as string)).toBe('ONLINE');
    expect(
      (
        await owner.expectData<{
          deviceSettings: { requireApprovalForSharedEnrollments: boolean };
        }>('{ deviceSettings { requireApprovalForSharedEnrollments } }')
      ).deviceSettings.requireApprovalForSharedEnrollments,
    ).toBe(false);
  });

  it('refuses maxUses outside 1..1000', async () => {
    for (const maxUses of [0, 1001]) {
      const result = await owner.request(
        'mutation($n: Int) { createDeviceEnrollment(maxUses: $n) { token } }',
        { n: maxUses },
      );
      expect(result.errors?.[0]?.extensions?.code).toBe('INVALID_REQUEST');
    }
  });

  /** The approved phones of the organization (registered with single-use tokens). */
  async function singleUseDevices(): Promise<string[]> {
    const rows = await h.sql<{ id: string }>(
      'SELECT id FROM devices WHERE org_id = $1 AND approved',
      [org],
    );
    return rows.map((r) => r.id);
  }
});
