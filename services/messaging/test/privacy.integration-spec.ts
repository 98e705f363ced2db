// Messaging's part of privacy requests: an export of a phone number's messages and
// conversations streamed back in ordered chunks (page by page), nothing of another number or
// tenant; an erasure that leaves no trace of the number (bodies gone, number pseudonymized);
// a request delivered again is harmless.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { complianceV1, Topics } from '@switchboard/contracts';
import { EventWatcher } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import {
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;
let compliance: FakeService;
let replies: EventWatcher<typeof Topics.compliance.privacyReply.schema>;
const org = randomUUID();
const otherOrg = randomUUID();
const subject = '+14155550142';
const bystander = '+14155550999';

async function message(orgId: string, to: string, body: string, at: Date): Promise<string> {
  const id = randomUUID();
  await stack.sql(
    `INSERT INTO messages (id, org_id, direction, status, from_number, to_number, body, encoding,
       segments, metadata, created_at, updated_at, delivered_at)
     VALUES ($1, $2, 'OUTBOUND', 'DELIVERED', '+14155550100', $3, $4, 'GSM7', 1, '{"crm":"42"}', $5, $5, $5)`,
    [id, orgId, to, body, at],
  );
  return id;
}

function request(kind: complianceV1.PrivacyRequestKind, orgId = org, requestId = randomUUID()) {
  return compliance
    .publish(Topics.compliance.privacyRequest, requestId, orgId, {
      requestId,
      orgId,
      kind,
      subject: { kind: complianceV1.PrivacySubjectKind.PHONE_NUMBER, phoneNumber: subject },
      requestedAt: timestampFromDate(new Date()),
    })
    .then(() => requestId);
}

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack, { PRIVACY_PAGE_SIZE: '2', PRIVACY_WORKER_INTERVAL_MS: '100' });
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  replies = await EventWatcher.start(Topics.compliance.privacyReply, stack.broker.brokers);
});

afterAll(async () => {
  await replies?.stop();
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

describe('messaging privacy', () => {
  const ids: string[] = [];

  it('exports the number’s messages in order, in chunks, and nothing else', async () => {
    const t0 = Date.now();
    for (let i = 0; i < 5; i++)
      ids.push(await message(org, subject, `hello ${i}`, new Date(t0 + i)));
    await message(org, bystander, 'not yours', new Date(t0));
    await message(otherOrg, subject, 'another tenant', new Date(t0));
    await stack.sql(
      `INSERT INTO conversations (id, org_id, contact_number, sender_key, last_message_at, created_at, updated_at)
       VALUES ($1, $2, $3, 'device:a', now(), now(), now())`,
      [randomUUID(), org, subject],
    );

    const requestId = await request(complianceV1.PrivacyRequestKind.EXPORT);
    const done = await replies.waitFor(
      (e) => e.message.requestId === requestId && e.message.reply.case === 'exportDone',
    );
    expect(done.key).toBe(requestId);
    expect(done.headers.ce_orgid).toBe(org);
    const chunks = replies.events
      .filter((e) => e.message.requestId === requestId && e.message.reply.case === 'exportChunk')
      .map((e) => e.message.reply.value as complianceV1.PrivacyExportChunk);
    // Pages of 2: messages 2 + 2 + 1, then the conversation.
    expect(chunks.map((c) => c.sequence)).toEqual([0, 1, 2, 3]);
    expect(done.message.reply.value).toMatchObject({
      chunks: 4,
      counts: { messages: 5n, conversations: 1n },
    });
    const messages = chunks
      .filter((c) => c.section === 'messages')
      .flatMap((c) =>
        c.items.map((i) => JSON.parse(i) as { id: string; to: string; body: string }),
      );
    expect(messages.map((m) => m.id)).toEqual(ids);
    expect(messages.every((m) => m.to === subject)).toBe(true);
    expect(messages.map((m) => m.body)).toEqual([
      'hello 0',
      'hello 1',
      'hello 2',
      'hello 3',
      'hello 4',
    ]);
    const all = chunks.flatMap((c) => c.items).join('\n');
    expect(all).not.toContain('not yours');
    expect(all).not.toContain('another tenant');
  });

  it('erases the number: bodies, media and metadata gone, the number pseudonymized; twice is harmless', async () => {
    // A carrier's error text may quote the number: it goes with the message's body.
    await stack.sql(
      `UPDATE messages SET error_code = 'UNREACHABLE', error_raw_message = 'Unreachable ' || to_number
        WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const requestId = await request(complianceV1.PrivacyRequestKind.ERASURE);
    const done = await replies.waitFor(
      (e) => e.message.requestId === requestId && e.message.reply.case === 'erasureDone',
    );
    expect(done.message.reply.value).toMatchObject({
      counts: { messages_anonymized: 5n, conversations_anonymized: 1n },
      legalHolds: [],
    });
    const left = await stack.sql(
      `SELECT id FROM messages WHERE org_id = $1 AND (to_number = $2 OR from_number = $2)
       UNION ALL SELECT id FROM conversations WHERE org_id = $1 AND contact_number = $2`,
      [org, subject],
    );
    expect(left).toEqual([]);
    const erased = await stack.sql<{
      body: string | null;
      metadata: object;
      to_number: string;
      error_raw_message: string | null;
    }>(
      `SELECT body, metadata, to_number, error_raw_message FROM messages WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(erased.every((m) => m.body === null && Object.keys(m.metadata).length === 0)).toBe(true);
    expect(erased.map((m) => m.error_raw_message)).toEqual(erased.map(() => null));
    expect(new Set(erased.map((m) => m.to_number)).size).toBe(1);
    expect(erased[0].to_number).toMatch(/^erased-/);
    // The bystander and the other tenant keep theirs.
    const kept = await stack.sql(
      `SELECT 1 FROM messages WHERE (org_id = $1 AND to_number = $2) OR (org_id = $3 AND to_number = $4)`,
      [org, bystander, otherOrg, subject],
    );
    expect(kept).toHaveLength(2);

    // The same request delivered again: done again, nothing more to erase.
    await request(complianceV1.PrivacyRequestKind.ERASURE, org, requestId);
    await replies.waitFor(
      (e) =>
        e.message.requestId === requestId && e.message.reply.case === 'erasureDone' && e !== done,
    );
    const again = replies.events.filter(
      (e) => e.message.requestId === requestId && e.message.reply.case === 'erasureDone',
    );
    expect(again.at(-1)!.message.reply.value).toMatchObject({ counts: {} });
  });

  it('exports and erases the number’s contact; its list’s counter drops with it', async () => {
    const client = app.gql(await stack.tokens.user(org));
    const { createContact } = await client.expectData<{ createContact: { id: string } }>(
      `mutation($n: String!) { createContact(input: { phoneNumber: $n, name: "Sam", attributes: { tier: "gold" } }) { id } }`,
      { n: subject },
    );
    const { createContactList } = await client.expectData<{ createContactList: { id: string } }>(
      `mutation { createContactList(input: { name: "VIP" }) { id } }`,
    );
    const { createContactList: segment } = await client.expectData<{
      createContactList: { id: string };
    }>(`mutation { createContactList(input: { name: "Gold", filter: { tier: "gold" } }) { id } }`);
    await client.expectData(
      `mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { id } }`,
      { id: createContactList.id, ids: [createContact.id] },
    );

    const exportId = await request(complianceV1.PrivacyRequestKind.EXPORT);
    await replies.waitFor(
      (e) => e.message.requestId === exportId && e.message.reply.case === 'exportDone',
    );
    const contacts = replies.events
      .filter((e) => e.message.requestId === exportId && e.message.reply.case === 'exportChunk')
      .map((e) => e.message.reply.value as complianceV1.PrivacyExportChunk)
      .filter((c) => c.section === 'contacts')
      .flatMap((c) => c.items.map((i) => JSON.parse(i) as { phoneNumber: string; name: string }));
    expect(contacts).toEqual([expect.objectContaining({ phoneNumber: subject, name: 'Sam' })]);

    const erasureId = await request(complianceV1.PrivacyRequestKind.ERASURE);
    const done = await replies.waitFor(
      (e) => e.message.requestId === erasureId && e.message.reply.case === 'erasureDone',
    );
    expect(done.message.reply.value).toMatchObject({ counts: { contacts_deleted: 1n } });
    const counts = await client.expectData<{
      a: { memberCount: number };
      b: { memberCount: number };
    }>(
      `query($a: ID!, $b: ID!) { a: contactList(id: $a) { memberCount } b: contactList(id: $b) { memberCount } }`,
      { a: createContactList.id, b: segment.id },
    );
    expect(counts).toEqual({ a: { memberCount: 0 }, b: { memberCount: 0 } });
    expect(
      await client.errorCodes(`query($id: ID!) { contact(id: $id) { id } }`, {
        id: createContact.id,
      }),
    ).toEqual(['CONTACT_NOT_FOUND']);
  });
});
