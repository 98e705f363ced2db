// Opt-out keywords end to end inside compliance: an inbound STOP (messaging.message.v1) opts the
// number out, publishes its state on compliance.suppression.v1 and asks messaging for exactly
// one confirmation (messaging.send.v1, COMPLIANCE_REPLY) — not again on a replay or a repeated
// STOP; START lifts it; HELP is answered; the organization's own texts and name are used.
import { randomUUID } from 'node:crypto';
import { complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { eventually, recordSqlStatements, type EventWatcher } from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

const SUBSCRIBER = '+14155550123';
const ORG_NUMBER = '+14155550999';

describe('opt-out keywords', () => {
  let h: ComplianceHarness;
  let states: EventWatcher<typeof complianceV1.SuppressionStateSchema>;
  let sends: EventWatcher<typeof messagingV1.SendMessageCommandSchema>;
  const org = randomUUID();

  const replies = (to = SUBSCRIBER) =>
    sends.events.filter((e) => e.message.orgId === org && e.message.to === to);
  /** Waits until compliance has recorded the inbound message (keyword or not). */
  const handled = (messageId: string) =>
    eventually(async () => {
      const rows = await h.sql(`SELECT 1 FROM suppression_history WHERE message_id = $1`, [
        messageId,
      ]);
      expect(rows).toHaveLength(1);
    }, 15_000);
  /** Waits until everything compliance wrote to its outbox is published. */
  const published = () =>
    eventually(async () => {
      const [{ pending }] = await h.sql<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL`,
      );
      expect(pending).toBe(0);
    }, 15_000);

  beforeAll(async () => {
    h = await startComplianceHarness();
    states = await h.watch(Topics.compliance.suppression);
    sends = await h.watch(Topics.messaging.send);
    await h.organizationCreated(org, 'Acme Dental');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('opts out on STOP and sends one confirmation back over the same number', async () => {
    const stop = await h.inbound({ orgId: org, body: ' Stop! ', from: SUBSCRIBER, to: ORG_NUMBER });
    const state = await states.waitFor((e) => e.key === `${org}:${SUBSCRIBER}`);
    expect(state.headers.ce_orgid).toBe(org);
    expect(state.message).toMatchObject({
      orgId: org,
      phoneNumber: { e164: SUBSCRIBER },
      optedOut: true,
      optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
      version: 1n,
    });
    const reply = await sends.waitFor((e) => e.message.replyToMessageId === stop);
    expect(reply.key).toBe(`${org}:compliance-reply:${stop}`);
    expect(reply.headers.ce_orgid).toBe(org);
    expect(reply.message).toMatchObject({
      orgId: org,
      idempotencyKey: `compliance-reply:${stop}`,
      to: SUBSCRIBER,
      from: '',
      purpose: messagingV1.SendPurpose.COMPLIANCE_REPLY,
      body: expect.stringMatching(/^Acme Dental: You are unsubscribed/),
    });
    expect(reply.message.validUntil).toBeDefined();
  });

  it('sends nothing again for a replayed STOP or a repeated STOP while opted out', async () => {
    const [first] = replies();
    const stop = first.message.replyToMessageId;
    // The same inbound message again (another record, e.g. republished after a crash).
    await h.inbound({
      orgId: org,
      body: 'STOP',
      from: SUBSCRIBER,
      to: ORG_NUMBER,
      messageId: stop,
    });
    const again = await h.inbound({ orgId: org, body: 'stop.', from: SUBSCRIBER, to: ORG_NUMBER });
    await handled(again);
    await published();
    const history = await h.sql(
      `SELECT kind, keyword, message_id FROM suppression_history WHERE org_id = $1 ORDER BY recorded_at`,
      [org],
    );
    expect(history).toEqual([
      { kind: 'OPT_OUT', keyword: 'STOP', message_id: stop },
      { kind: 'OPT_OUT', keyword: 'STOP', message_id: again },
    ]);
    const outbox = await h.sql<{ topic: string; n: number }>(
      `SELECT topic, count(*)::int AS n FROM outbox WHERE topic IN ('messaging.send.v1', 'compliance.suppression.v1') GROUP BY topic ORDER BY topic`,
    );
    expect(outbox).toEqual([
      { topic: 'compliance.suppression.v1', n: 1 },
      { topic: 'messaging.send.v1', n: 1 },
    ]);
  });

  it('answers HELP every time, with the default CTIA text', async () => {
    const help = await h.inbound({ orgId: org, body: 'help', from: SUBSCRIBER, to: ORG_NUMBER });
    const reply = await sends.waitFor((e) => e.message.replyToMessageId === help);
    expect(reply.message.body).toMatch(
      /^Acme Dental: .*Reply STOP to unsubscribe.*Msg&data rates may apply/,
    );
    expect(reply.message.purpose).toBe(messagingV1.SendPurpose.COMPLIANCE_REPLY);
  });

  it('lifts the opt-out on START with a short confirmation, in the organization’s own words', async () => {
    const owner = await h.owner(org);
    await owner.expectData(
      `mutation { updateCompliancePolicy(input: { startReply: "{{organization}}: welcome back! Reply STOP to opt out." }) { version } }`,
    );
    const start = await h.inbound({
      orgId: org,
      body: 'ＳＴＡＲＴ',
      from: SUBSCRIBER,
      to: ORG_NUMBER,
    });
    const state = await states.waitFor(
      (e) => e.key === `${org}:${SUBSCRIBER}` && e.message.version === 2n,
    );
    expect(state.message).toMatchObject({
      optedOut: false,
      optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
    });
    const reply = await sends.waitFor((e) => e.message.replyToMessageId === start);
    expect(reply.message.body).toBe('Acme Dental: welcome back! Reply STOP to opt out.');
    // A YES from a number that is not opted out answers a question: no reply, no change.
    const yes = await h.inbound({ orgId: org, body: 'yes', from: SUBSCRIBER, to: ORG_NUMBER });
    await handled(yes);
    await published();
    expect(replies().filter((r) => r.message.replyToMessageId === yes)).toEqual([]);
  });

  it('treats other texts as ordinary messages and keeps tenants apart', async () => {
    const other = randomUUID();
    await h.organizationCreated(other, 'Other Org');
    const plain = await h.inbound({ orgId: other, body: 'stop by later?', from: SUBSCRIBER });
    const stop = await h.inbound({ orgId: other, body: 'UNSUBSCRIBE', from: SUBSCRIBER });
    const reply = await sends.waitFor((e) => e.message.replyToMessageId === stop);
    expect(reply.message.body).toMatch(/^Other Org: /);
    expect(sends.events.filter((e) => e.message.replyToMessageId === plain)).toEqual([]);
    const owner = await h.owner(org);
    const { suppression } = await owner.expectData<{
      suppression: { optedOut: boolean; version: number };
    }>(`query($n: String!) { suppression(phoneNumber: $n) { optedOut version } }`, {
      n: SUBSCRIBER,
    });
    expect(suppression).toEqual({ optedOut: false, version: 2 });
    const otherOwner = await h.owner(other);
    const { suppression: theirs } = await otherOwner.expectData<{
      suppression: { optedOut: boolean };
    }>(`query($n: String!) { suppression(phoneNumber: $n) { optedOut } }`, { n: SUBSCRIBER });
    expect(theirs.optedOut).toBe(true);
  });

  it('opens no transaction for message events without a keyword (outbound ones, other texts)', async () => {
    const messageId = randomUUID();
    const outbound = (kind: messagingV1.MessageEventKind) =>
      h.publish(Topics.messaging.message, messageId, org, {
        messageId,
        orgId: org,
        kind,
        direction: messagingV1.Direction.OUTBOUND,
        to: { e164: SUBSCRIBER },
        body: 'STOP', // never read: outbound texts are not keywords
        sequence: 1,
      });
    const log = recordSqlStatements();
    try {
      // Same key, one partition: the events without a keyword are consumed before the HELP.
      await outbound(messagingV1.MessageEventKind.QUEUED);
      await outbound(messagingV1.MessageEventKind.SENT);
      await h.inbound({ orgId: org, messageId, body: 'see you at 3', from: SUBSCRIBER });
      await h.inbound({ orgId: org, messageId, body: 'HELP', from: SUBSCRIBER });
      await handled(messageId);
    } finally {
      log.stop();
    }
    const consumed = log.transactions().filter((tx) => tx.some((s) => /processed_events/.test(s)));
    expect(consumed).toHaveLength(1);
  });
});
