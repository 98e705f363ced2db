// The tenant of a dispatch command is its envelope's ce_orgid (libs/events' enterEventTenant):
// a command without one, or whose payload names another organization, is dead-lettered and
// reaches no phone — even one of the organization the payload names.
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { devicesV1, Topics } from '@switchboard/contracts';
import { cloudEventRecord, type EventWatcher } from '@switchboard/testing';
import { startDevicesHarness, type DevicesHarness } from './support/devices-harness';
import { PhoneFleet } from './support/phones';

describe('the tenant of a dispatch command', () => {
  let h: DevicesHarness;
  let fleet: PhoneFleet;
  let producer: Producer;
  let dlq: EventWatcher<typeof devicesV1.DispatchCommandSchema>;
  let states: EventWatcher<typeof devicesV1.MessageStateEventSchema>;

  beforeAll(async () => {
    h = await startDevicesHarness();
    fleet = new PhoneFleet(h);
    dlq = await h.watch({ ...Topics.devices.dispatch, name: Topics.devices.dispatch.dlq });
    states = await h.watch(Topics.devices.messageState);
    producer = new Kafka({
      clientId: 'dispatch-tenant-test',
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

  /** A dispatch command as messaging sends it, with the envelope's tenant as given. */
  async function sendCommand(messageId: string, payloadOrgId: string, ceOrgId?: string) {
    const command = create(devicesV1.DispatchCommandSchema, {
      messageId,
      orgId: payloadOrgId,
      issuedAt: timestampFromDate(new Date()),
      command: {
        case: 'dispatch',
        value: create(devicesV1.DispatchMessageSchema, {
          to: { e164: '+14155550123' },
          body: 'tenant check',
          segments: 1,
          attempt: 1,
        }),
      },
    });
    await producer.send({
      topic: Topics.devices.dispatch.name,
      messages: [
        cloudEventRecord(Topics.devices.dispatch, messageId, command, {
          orgId: ceOrgId,
          service: 'messaging',
        }),
      ],
    });
  }

  async function expectDeadLettered(messageId: string, error: RegExp) {
    const letter = await dlq.waitFor((e) => e.key === messageId);
    expect(letter.headers).toMatchObject({
      sb_dlq_reason: 'permanent-failure',
      sb_dlq_topic: Topics.devices.dispatch.name,
    });
    expect(letter.headers.sb_dlq_error).toMatch(error);
    expect(
      await h.sql('SELECT id FROM device_messages WHERE message_id = $1', [messageId]),
    ).toEqual([]);
    expect(states.events.filter((e) => e.key === messageId)).toEqual([]);
  }

  it('refuses a command without ce_orgid, even for an organization with a phone online', async () => {
    const org = randomUUID();
    await fleet.phone(org);
    const messageId = randomUUID();
    await sendCommand(messageId, org);
    await expectDeadLettered(messageId, /no ce_orgid/);
  });

  it('refuses a command whose payload names another organization than ce_orgid', async () => {
    const [orgA, orgB] = [randomUUID(), randomUUID()];
    await fleet.phone(orgA);
    await fleet.phone(orgB);
    const messageId = randomUUID();
    await sendCommand(messageId, orgB, orgA);
    await expectDeadLettered(messageId, /different organizations/);
  });

  it("dispatches a command whose payload agrees with ce_orgid to that organization's phone", async () => {
    const org = randomUUID();
    const phone = await fleet.phone(org);
    const messageId = randomUUID();
    await sendCommand(messageId, org.toUpperCase(), org);
    const dispatched = await states.waitFor(
      (e) => e.key === messageId && e.message.state === devicesV1.MessageState.DISPATCHED,
    );
    expect(dispatched.message).toMatchObject({ orgId: org, deviceId: phone.deviceId });
  });
});
