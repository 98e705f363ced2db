// Opt-outs, keyword replies and consent end to end: a (simulated) SMSGate phone receives STOP,
// the platform answers once over the same phone, and from then on every send to that number —
// the sendMessage mutation and a campaign command on messaging.send.v1 — is REJECTED OPTED_OUT
// until START lifts it. HELP is answered. With consent required, a campaign command to a number
// without consent is REJECTED NO_CONSENT until consent is recorded.
import type { GraphQLClient } from '@switchboard/testing';
import { eventProducer, sendCampaignCommand } from './send-commands';
import { customer, until } from './support';
import { enrollPhone, stopPhones, type EnrollOptions } from './phones';

/** Quick phones: 20 ms to send, 20 ms to be delivered. */
const PHONE: EnrollOptions = { name: 'compliance phone', sendDelayMs: 20, deliveryDelayMs: 20 };

const MESSAGE = 'id status body idempotencyKey error { code } to';

interface MessageView {
  id: string;
  status: string;
  body: string | null;
  idempotencyKey: string | null;
  error: { code: string } | null;
  to: string | null;
}

const commands = eventProducer();

afterAll(async () => {
  await stopPhones();
  await commands.stop();
});

async function send(api: GraphQLClient, to: string, body: string): Promise<MessageView> {
  const { sendMessage } = await api.expectData<{ sendMessage: MessageView }>(
    `mutation($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE} } }`,
    { input: { to, body } },
  );
  return sendMessage;
}

/** The organization's outbound messages to `to`, newest first. */
async function outbound(api: GraphQLClient, to: string): Promise<MessageView[]> {
  const { messages } = await api.expectData<{ messages: { edges: { node: MessageView }[] } }>(
    `query($to: String) { messages(filter: { direction: OUTBOUND, to: $to }, first: 50) { edges { node { ${MESSAGE} } } } }`,
    { to },
  );
  return messages.edges.map((e) => e.node);
}

/** The inbound message with `body` from `from`. */
async function inboundId(api: GraphQLClient, from: string, body: string): Promise<string> {
  return until(`the inbound "${body}"`, async () => {
    const { messages } = await api.expectData<{
      messages: { edges: { node: { id: string; body: string; from: string } }[] };
    }>(
      `query($from: String) { messages(filter: { direction: INBOUND, from: $from }, first: 50) { edges { node { id body from } } } }`,
      { from },
    );
    return messages.edges.find((e) => e.node.body === body)?.node.id;
  });
}

/** The keyword reply to an inbound message, once the phone delivered it. */
const replyTo = (api: GraphQLClient, to: string, inbound: string) =>
  until(`the reply to ${inbound}`, async () => {
    const reply = (await outbound(api, to)).find(
      (m) => m.idempotencyKey === `compliance-reply:${inbound}`,
    );
    return reply?.status === 'DELIVERED' ? reply : undefined;
  });

/** The message a command became, once it reached one of `statuses`. */
const commandOutcome = (api: GraphQLClient, to: string, key: string, statuses: string[]) =>
  until(`the message of ${key}`, async () => {
    const found = (await outbound(api, to)).find((m) => m.idempotencyKey === key);
    return found && statuses.includes(found.status) ? found : undefined;
  });

const suppressionOf = async (api: GraphQLClient, phoneNumber: string) =>
  (
    await api.expectData<{
      suppression: { optedOut: boolean; consent: boolean; history: { change: string }[] };
    }>(
      'query($n: String!) { suppression(phoneNumber: $n) { optedOut consent history { change } } }',
      { n: phoneNumber },
    )
  ).suppression;

describe('opt-outs and consent across the platform', () => {
  it('STOP from a phone: one confirmation back, then every send REJECTED OPTED_OUT until START', async () => {
    const { api, orgId } = await customer('optout');
    // Campaign messages are held outside quiet hours: this test runs at any hour.
    await api.expectData(
      'mutation { updateCompliancePolicy(input: { quietHoursEnabled: false }) { version } }',
    );
    const { device } = await enrollPhone(api, PHONE);
    const contact = '+14155550141';

    await device.receive(contact, 'STOP');
    const stop = await inboundId(api, contact, 'STOP');
    const confirmation = await replyTo(api, contact, stop);
    expect(confirmation.body).toMatch(/You are unsubscribed.*Reply START/);
    expect((await suppressionOf(api, contact)).optedOut).toBe(true);

    // Messaging learns it from compliance.suppression.v1 (its projection lags a little).
    const rejected = await until('sendMessage to be REJECTED', async () => {
      const m = await send(api, contact, 'Our sale starts today!');
      return m.status === 'REJECTED' ? m : undefined;
    });
    expect(rejected.error?.code).toBe('OPTED_OUT');
    const campaign = await sendCampaignCommand(commands, orgId, contact, 'Campaign: 20% off');
    const fromCommand = await commandOutcome(api, contact, campaign, [
      'REJECTED',
      'QUEUED',
      'DELIVERED',
    ]);
    expect([fromCommand.status, fromCommand.error?.code]).toEqual(['REJECTED', 'OPTED_OUT']);

    // A second STOP while opted out is recorded but not answered; HELP is.
    await device.receive(contact, 'stop');
    await until(
      'the second STOP to be recorded',
      async () =>
        (await suppressionOf(api, contact)).history.filter((h) => h.change === 'OPT_OUT').length ===
        2,
    );
    await device.receive(contact, 'HELP');
    const help = await inboundId(api, contact, 'HELP');
    const helpReply = await replyTo(api, contact, help);
    expect(helpReply.body).toMatch(/Reply STOP to unsubscribe.*Msg&data rates may apply/);
    const replies = (await outbound(api, contact)).filter((m) =>
      m.idempotencyKey?.startsWith('compliance-reply:'),
    );
    expect(replies.map((m) => m.idempotencyKey).sort()).toEqual(
      [`compliance-reply:${stop}`, `compliance-reply:${help}`].sort(),
    );

    // START lifts it, with a short confirmation; the next send goes out.
    await device.receive(contact, 'START');
    const start = await inboundId(api, contact, 'START');
    expect((await replyTo(api, contact, start)).body).toMatch(/resubscribed/);
    const delivered = await until('a send to go out again', async () => {
      const m = await send(api, contact, 'Welcome back');
      return m.status === 'REJECTED' ? undefined : m;
    });
    await until('it to be DELIVERED', async () =>
      (await outbound(api, contact)).find((m) => m.id === delivered.id && m.status === 'DELIVERED'),
    );
  });

  it('consent required: a campaign to a number without consent is REJECTED NO_CONSENT until recorded', async () => {
    const { api, orgId } = await customer('consent');
    await api.expectData(
      'mutation { updateCompliancePolicy(input: { quietHoursEnabled: false, consentRequiredForCampaigns: true }) { version } }',
    );
    await enrollPhone(api, PHONE);
    const contact = '+14155550142';
    // Messaging learns the policy from compliance.policy.v1: retry with new commands until it has.
    // Until then the platform default applies, whose quiet hours hold a campaign message
    // (SCHEDULED) outside 08:00–21:00 in the recipient's time: that is an outcome too.
    const refused = await until('a campaign command to be REJECTED NO_CONSENT', async () => {
      const key = await sendCampaignCommand(commands, orgId, contact, 'Campaign without consent');
      const m = await commandOutcome(api, contact, key, [
        'REJECTED',
        'QUEUED',
        'SCHEDULED',
        'DISPATCHED',
        'SENT',
        'DELIVERED',
      ]);
      return m.error?.code === 'NO_CONSENT' ? m : undefined;
    });
    expect(refused.status).toBe('REJECTED');
    // A transactional message is not a campaign: it goes.
    expect((await send(api, contact, 'Your appointment is at 3pm')).status).not.toBe('REJECTED');

    await api.expectData(
      `mutation { recordConsent(input: { phoneNumber: "${contact}", source: WEB_FORM, ip: "198.51.100.7", text: "Yes, send me offers" }) { consent } }`,
    );
    const sent = await until('a campaign command to go out after consent', async () => {
      const key = await sendCampaignCommand(commands, orgId, contact, 'Campaign with consent');
      const m = await commandOutcome(api, contact, key, ['REJECTED', 'DELIVERED']);
      return m.status === 'DELIVERED' ? m : undefined;
    });
    expect(sent.error).toBeNull();
  });
});
