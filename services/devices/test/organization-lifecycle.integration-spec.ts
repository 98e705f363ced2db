// An organization's closure and purge reach its fleet (accounts.organization.v1): closure stops
// the phones (tokens refused, SSE closed, open messages released to messaging with the reason),
// a canceled deletion reopens it, the purge deletes every devices row of the organization —
// and another organization's fleet notices nothing.
import { randomUUID } from 'node:crypto';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { accountsV1, devicesV1, Topics } from '@switchboard/contracts';
import { cloudEventRecord, type EventWatcher } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { eventually, PhoneFleet } from './support/phones';

const S = devicesV1.MessageState;
const TENANT_TABLES = [
  'device_messages',
  'sims',
  'inbound_receipts',
  'webhook_signatures',
  'credentials',
  'devices',
  'enrollment_tokens',
];

describe('organization closure and purge in devices', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  let producer: Producer;
  let states: EventWatcher<typeof devicesV1.MessageStateEventSchema>;
  const orgA = randomUUID();
  const orgB = randomUUID();

  beforeAll(async () => {
    h = await startDevicesHarness({ SSE_KEEPALIVE_SECONDS: '0.2' });
    fleet = new PhoneFleet(h);
    states = await h.watch(Topics.devices.messageState);
    producer = new Kafka({
      clientId: 'organization-lifecycle-test',
      brokers: h.broker.brokers,
      logLevel: logLevel.NOTHING,
    }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await fleet?.stopAll();
    await h?.close();
  });

  /** An OrganizationEvent as accounts publishes it (ce_orgid = the organization). */
  async function publish(
    orgId: string,
    event: MessageInitShape<typeof accountsV1.OrganizationEventSchema>['event'],
  ) {
    const message = create(accountsV1.OrganizationEventSchema, {
      orgId,
      occurredAt: timestampFromDate(new Date()),
      event,
    });
    await producer.send({
      topic: Topics.accounts.organization.name,
      messages: [
        cloudEventRecord(Topics.accounts.organization, orgId, message, {
          orgId,
          service: 'accounts',
        }),
      ],
    });
  }

  /** A phone registered over the device API; its token. */
  async function register(orgId: string): Promise<{ id: string; token: string }> {
    const res = await fetch(`${h.apiUrl}/device`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await h.enrollmentToken(orgId)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Google/pixel_7' }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; token: string };
  }

  const pull = (token: string) =>
    fetch(`${h.apiUrl}/message`, { headers: { authorization: `Bearer ${token}` } });

  const rowsOf = async (orgId: string) => {
    const counts: Record<string, number> = {};
    for (const table of [...TENANT_TABLES, 'tenants']) {
      const column = table === 'tenants' ? 'id' : 'org_id';
      const [{ n }] = await h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`,
        [orgId],
      );
      counts[table] = n;
    }
    return counts;
  };

  it('closure stops the fleet: messages released with the reason, SSE closed, tokens refused', async () => {
    // A phone that holds what it is handed (it never gets to send), with its stream open.
    const phone = await fleet.phone(orgA, { sendDelayMs: 600_000 });
    const raw = await register(orgA);
    const bystander = await register(orgB);
    const held = randomUUID();
    await h.dispatch({ orgId: orgA, messageId: held, deviceId: phone.deviceId });
    await eventually(() =>
      expect(fleet.handouts(phone.deviceId).map((e) => e.messageId)).toContain(held),
    );
    // No phone of A may take this one: it waits in A's pool.
    const pooled = randomUUID();
    await h.dispatch({
      orgId: orgA,
      messageId: pooled,
      excludedDeviceIds: [phone.deviceId!, raw.id],
    });
    await eventually(async () => {
      const [row] = await h.sql<{ state: string }>(
        `SELECT state FROM device_messages WHERE message_id = $1`,
        [pooled],
      );
      expect(row?.state).toBe('POOLED');
    });

    await publish(orgA, {
      case: 'deletionScheduled',
      value: { purgeAt: timestampFromDate(new Date()) },
    });

    for (const messageId of [held, pooled]) {
      const released = await states.waitFor(
        (e) => e.key === messageId && e.message.state === S.RELEASED,
      );
      expect(released.message.reason).toBe('organization closed');
    }
    // The stream was closed; reconnecting is refused, and the phone stops.
    await eventually(() => expect(fleet.log.some((e) => e.event === 'unauthorized')).toBe(true));
    const refused = await pull(raw.token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'ORGANIZATION_CLOSED' });
    const reRegister = await fetch(`${h.apiUrl}/device`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await h.enrollmentToken(orgA)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Google/pixel_7' }),
    });
    expect(reRegister.status).toBe(401);
    expect(await reRegister.json()).toMatchObject({ code: 'ORGANIZATION_CLOSED' });
    // A new command for the closed organization fails at once instead of waiting in the pool.
    const late = randomUUID();
    await h.dispatch({ orgId: orgA, messageId: late });
    const failed = await states.waitFor((e) => e.key === late && e.message.state === S.FAILED);
    expect(failed.message.errorCode).toBe('ORGANIZATION_CLOSED');

    // A's phones go offline (their streams were closed, and they can no longer connect: the
    // closed stream is recorded when the server sees it end); another organization's go on.
    await eventually(async () =>
      expect(await h.sql('SELECT id FROM devices WHERE org_id = $1 AND connected', [orgA])).toEqual(
        [],
      ),
    );
    expect((await pull(bystander.token)).status).toBe(200);

    // Canceling the deletion reopens the fleet.
    await publish(orgA, {
      case: 'deletionCanceled',
      value: { status: accountsV1.OrganizationStatus.ACTIVE },
    });
    await eventually(async () => expect((await pull(raw.token)).status).toBe(200));
  });

  it('purge deletes every devices row of the organization and nothing else', async () => {
    const before = await rowsOf(orgA);
    expect(before.devices).toBeGreaterThan(0);
    expect(before.device_messages).toBeGreaterThan(0);
    expect(before.enrollment_tokens).toBeGreaterThan(0);
    const bystanderBefore = await rowsOf(orgB);

    await publish(orgA, { case: 'deleted', value: { slug: 'closed-shop' } });

    await eventually(async () =>
      expect(Object.values(await rowsOf(orgA)).every((n) => n === 0)).toBe(true),
    );
    expect(await rowsOf(orgB)).toEqual(bystanderBefore);
  });
});
