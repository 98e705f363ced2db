// Inbound SMS, conversations and the read side of the API (pagination, filters, federation).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { accountsV1, devicesV1, messagingV1, Topics } from '@switchboard/contracts';
import {
  EventWatcher,
  expectCommittedSubgraphSchema,
  scrapeMetrics,
  type GraphQLClient,
} from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { get, MESSAGE_FIELDS, send, type MessageView } from './support/messaging-api';
import {
  eventually,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const { MessageState } = devicesV1;

let stack: MessagingStack;
let app: RunningApp;
let devices: FakeService;
let lifecycle: EventWatcher<typeof Topics.messaging.message.schema>;
const org = randomUUID();
let alice: GraphQLClient;

const CONTACT = '+14155550123';
const OTHER = '+14155550199';
const MARKER = '+14155550177';

interface ConversationView {
  id: string;
  contactNumber: string;
  ourNumber: string | null;
  deviceId: string | null;
  simNumber: number | null;
  messageCount: number;
  unreadCount: number;
  lastMessageAt: string;
  lastReadAt: string | null;
  lastMessage: { id: string } | null;
}
const CONVERSATION_FIELDS = `id contactNumber ourNumber deviceId simNumber messageCount unreadCount lastMessageAt lastReadAt lastMessage { id }`;

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack);
  devices = new FakeService(stack.broker.brokers);
  lifecycle = await EventWatcher.start(Topics.messaging.message, stack.broker.brokers);
  alice = app.gql(await stack.tokens.user(org));
  // Inbound SMS are kept only for organizations messaging knows (accounts.organization.v1).
  await devices.organization(org, {
    slug: 'conversations',
    name: 'Conversations',
    status: accountsV1.OrganizationStatus.ACTIVE,
  });
  for (const id of ['device-a', 'device-b']) {
    await devices.device(org, id, {
      case: 'registered',
      value: {
        status: devicesV1.DeviceStatus.ONLINE,
        device: { name: id, sims: [{ slot: 1 }, { slot: 2 }] },
      },
    });
  }
  // Generous: joining the consumer group is slow on a busy machine.
  await eventually(
    'devices and the organization',
    async () =>
      (await stack.sql(`SELECT 1 FROM devices`)).length === 2 &&
      (await stack.sql(`SELECT 1 FROM organizations`)).length === 1,
    45_000,
  );
  const warm = await send(alice, { to: OTHER, body: 'warm-up' });
  await devices.state(org, warm.id, MessageState.DISPATCHED);
  await eventually(
    'consumer',
    async () => (await get(alice, warm.id)).status === 'DISPATCHED',
    45_000,
  );
}, 90_000);

afterAll(async () => {
  await lifecycle?.stop();
  await devices?.stop();
  await app?.close();
  await stack?.stop();
});

function inbound(
  from: string,
  deviceId: string,
  simNumber: number,
  body: string,
  id = randomUUID(),
) {
  return devices.publish(Topics.devices.inbound, org, org, {
    id,
    orgId: org,
    deviceId,
    from: { e164: from },
    to: { e164: '' },
    body,
    simNumber,
    receivedAt: timestampFromDate(new Date()),
  });
}

async function conversationOf(messageId: string): Promise<ConversationView> {
  const { message } = await alice.expectData<{
    message: { conversation: ConversationView | null };
  }>(`query($id: ID!) { message(id: $id) { conversation { ${CONVERSATION_FIELDS} } } }`, {
    id: messageId,
  });
  if (!message.conversation) throw new Error('no conversation yet');
  return message.conversation;
}

async function receivedMessages(): Promise<MessageView[]> {
  const { messages } = await alice.expectData<{ messages: { nodes: MessageView[] } }>(
    `{ messages(filter: { direction: INBOUND }, first: 100) { nodes { ${MESSAGE_FIELDS} } } }`,
  );
  return messages.nodes;
}

describe('inbound and conversations', () => {
  it('a reply lands RECEIVED in the conversation of the contact and our device SIM', async () => {
    const outbound = await send(alice, { to: CONTACT, body: 'Are you coming?' });
    await devices.state(org, outbound.id, MessageState.DISPATCHED, {
      deviceId: 'device-a',
      simNumber: 1,
    });
    await devices.state(org, outbound.id, MessageState.SENT, {
      deviceId: 'device-a',
      simNumber: 1,
    });
    const thread = await eventually('outbound threaded', () => conversationOf(outbound.id));
    expect(thread).toMatchObject({
      contactNumber: CONTACT,
      deviceId: 'device-a',
      simNumber: 1,
      unreadCount: 0,
    });

    const smsId = randomUUID();
    await inbound(CONTACT, 'device-a', 1, 'Yes, at 8 🙂', smsId);
    await inbound(CONTACT, 'device-a', 1, 'Yes, at 8 🙂', smsId); // the device posts it again
    const reply = await eventually('received', async () =>
      (await receivedMessages()).find((m) => m.body === 'Yes, at 8 🙂'),
    );
    expect(reply).toMatchObject({
      status: 'RECEIVED',
      direction: 'INBOUND',
      from: CONTACT,
      deviceId: 'device-a',
      simNumber: 1,
      encoding: 'UCS2',
      conversationId: thread.id,
    });
    expect(reply.receivedAt).not.toBeNull();
    const event = await lifecycle.waitFor((e) => e.key === reply.id);
    expect(event.message).toMatchObject({
      kind: messagingV1.MessageEventKind.RECEIVED,
      status: messagingV1.MessageStatus.RECEIVED,
      body: 'Yes, at 8 🙂',
      conversationId: thread.id,
      sequence: 1,
    });

    // Inbound events of the organization share a partition: once a later one is stored, the
    // repeated post was handled too (no fixed wait, however slow the machine).
    await inbound(MARKER, 'device-b', 2, 'marker after the repeat');
    await eventually('marker', async () =>
      (await receivedMessages()).some((m) => m.body === 'marker after the repeat'),
    );
    expect((await receivedMessages()).filter((m) => m.body === 'Yes, at 8 🙂')).toHaveLength(1);
    const after = await conversationOf(outbound.id);
    expect(after).toMatchObject({
      id: thread.id,
      unreadCount: 1,
      messageCount: 2,
      lastMessage: { id: reply.id },
    });

    // Another contact, or the same contact on another device: other conversations.
    await inbound(OTHER, 'device-a', 1, 'other contact');
    await inbound(CONTACT, 'device-b', 1, 'other device');
    const others = await eventually('two more', async () => {
      const found = (await receivedMessages()).filter((m) =>
        ['other contact', 'other device'].includes(m.body!),
      );
      return found.length === 2 && found;
    });
    const ids = new Set([thread.id, ...others.map((m) => m.conversationId)]);
    expect(ids.size).toBe(3);

    // Most recent activity first, with unread counts; then marked read.
    const { conversations } = await alice.expectData<{
      conversations: { nodes: ConversationView[] };
    }>(`{ conversations(first: 10) { nodes { ${CONVERSATION_FIELDS} } } }`);
    expect(conversations.nodes[0].contactNumber).toBe(CONTACT); // 'other device' came last
    expect(conversations.nodes[0].deviceId).toBe('device-b');
    const times = conversations.nodes.map((c) => c.lastMessageAt);
    expect([...times].sort().reverse()).toEqual(times);
    const unread = await alice.expectData<{ conversations: { nodes: ConversationView[] } }>(
      `{ conversations(filter: { unreadOnly: true, contactNumber: "(415) 555-0123" }) { nodes { id unreadCount } } }`,
    );
    expect(unread.conversations.nodes.map((c) => c.id)).toContain(thread.id);
    const read = await alice.expectData<{ markConversationRead: ConversationView }>(
      `mutation($id: ID!) { markConversationRead(id: $id) { ${CONVERSATION_FIELDS} } }`,
      { id: thread.id },
    );
    expect(read.markConversationRead).toMatchObject({ unreadCount: 0 });
    expect(read.markConversationRead.lastReadAt).not.toBeNull();

    const { conversation } = await alice.expectData<{
      conversation: { messages: { nodes: { id: string }[] } };
    }>(`query($id: ID!) { conversation(id: $id) { messages(first: 10) { nodes { id } } } }`, {
      id: thread.id,
    });
    expect(conversation.messages.nodes.map((m) => m.id)).toEqual([reply.id, outbound.id]);
  });

  it('a message sent from another SIM than first assigned moves to that conversation', async () => {
    const message = await send(alice, {
      to: OTHER,
      body: 'moving',
      deviceId: 'device-a',
      simNumber: 2,
    });
    const first = await eventually('threaded at send', () => conversationOf(message.id));
    expect(first).toMatchObject({ deviceId: 'device-a', simNumber: 2 });
    await devices.state(org, message.id, MessageState.RELEASED, { deviceId: 'device-a' });
    await eventually('attempt 2', async () => (await get(alice, message.id)).attempt === 2);
    await devices.state(org, message.id, MessageState.SENT, {
      deviceId: 'device-b',
      simNumber: 1,
      attempt: 2,
    });
    const moved = await eventually('moved', async () => {
      const c = await conversationOf(message.id);
      return c.deviceId === 'device-b' && c;
    });
    expect(moved).toMatchObject({ contactNumber: OTHER, simNumber: 1 });
    const old = await alice.request(`query($id: ID!) { conversation(id: $id) { messageCount } }`, {
      id: first.id,
    });
    expect(old.data).toEqual({ conversation: { messageCount: 0 } });
  });

  it('unknown conversations are typed errors', async () => {
    expect(await alice.errorCodes(`query { conversation(id: "${randomUUID()}") { id } }`)).toEqual([
      'CONVERSATION_NOT_FOUND',
    ]);
    expect(await alice.errorCodes(`query { conversation(id: "nope") { id } }`)).toEqual([
      'CONVERSATION_NOT_FOUND',
    ]);
  });
});

describe('inbound of organizations that are closed or not known', () => {
  const refused = async (reason: string) => {
    const text = await scrapeMetrics(app.app);
    const line = new RegExp(
      `messaging_inbound_refused_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`,
    ).exec(text);
    return Number(line?.[1] ?? 0);
  };

  it('drops closed and purged organizations’ SMS, not dead-lettered, and keeps a new one’s not projected yet', async () => {
    const [closed, purged, unknown] = [randomUUID(), randomUUID(), randomUUID()];
    const dlq = await EventWatcher.start(
      { ...Topics.devices.inbound, name: Topics.devices.inbound.dlq },
      stack.broker.brokers,
    );
    try {
      const at = () => timestampFromDate(new Date());
      for (const tenant of [closed, purged]) {
        await devices.organization(tenant, {
          slug: tenant,
          name: 'Leaving',
          status: accountsV1.OrganizationStatus.ACTIVE,
        });
      }
      await devices.publish(Topics.accounts.organization, closed, closed, {
        orgId: closed,
        occurredAt: at(),
        event: { case: 'deletionScheduled', value: { purgeAt: at() } },
      });
      await devices.publish(Topics.accounts.organization, purged, purged, {
        orgId: purged,
        occurredAt: at(),
        event: { case: 'deleted', value: { slug: purged } },
      });
      await eventually(
        'closed and purged',
        async () =>
          (
            await stack.sql(`SELECT 1 FROM organizations WHERE org_id = $1 AND status = $2`, [
              closed,
              'DELETION_SCHEDULED',
            ])
          ).length === 1 &&
          (await stack.sql(`SELECT 1 FROM purged_organizations WHERE org_id = $1`, [purged]))
            .length === 1,
        30_000,
      );

      // Their phones post SMS; all on the partition of `org` (the record key), then a marker of
      // `org`: once the marker is stored, the three were handled.
      for (const tenant of [closed, purged, unknown]) {
        await devices.publish(Topics.devices.inbound, org, tenant, {
          id: randomUUID(),
          orgId: tenant,
          deviceId: 'a-phone-of-theirs',
          from: { e164: CONTACT },
          to: { e164: '' },
          body: `to ${tenant}`,
          simNumber: 1,
          receivedAt: at(),
        });
      }
      await inbound(MARKER, 'device-b', 2, 'marker after the refused');
      await eventually(
        'marker',
        async () => (await receivedMessages()).some((m) => m.body === 'marker after the refused'),
        30_000,
      );

      expect(
        await stack.sql(`SELECT org_id FROM messages WHERE org_id = ANY($1::uuid[])`, [
          [closed, purged],
        ]),
      ).toEqual([]);
      expect(await refused('organization-closed')).toBeGreaterThanOrEqual(1);
      expect(await refused('organization-purged')).toBeGreaterThanOrEqual(1);
      // Not projected here yet (its accounts.organization.v1 event still on its way), but its
      // phone is registered to it: kept.
      expect(await stack.sql(`SELECT body FROM messages WHERE org_id = $1`, [unknown])).toEqual([
        { body: `to ${unknown}` },
      ]);
      // Dropped, not dead-lettered: a DLQ would keep the sender's number and text with no owner.
      const ours: string[] = [closed, purged, unknown];
      expect(dlq.events.filter((e) => ours.includes(e.message.orgId))).toEqual([]);
    } finally {
      await dlq.stop();
    }
  }, 90_000);
});

describe('messages connection', () => {
  const PAGE = `query($first: Int, $after: String, $filter: MessagesFilter) {
    messages(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id createdAt status to } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } }`;
  type PageView = {
    messages: {
      edges: {
        cursor: string;
        node: { id: string; createdAt: string; status: string; to: string };
      }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    };
  };
  let bulk: GraphQLClient;
  const bulkOrg = randomUUID();
  const sent: string[] = [];

  beforeAll(async () => {
    bulk = app.gql(await stack.tokens.user(bulkOrg));
    for (let i = 0; i < 45; i++) {
      sent.push((await send(bulk, { to: i % 3 === 0 ? OTHER : CONTACT, body: `bulk ${i}` })).id);
    }
  });

  async function all(filter?: Record<string, unknown>, first = 10, between?: () => Promise<void>) {
    const ids: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const data: PageView = await bulk.expectData<PageView>(PAGE, { first, after, filter });
      ids.push(...data.messages.edges.map((e) => e.node.id));
      expect(data.messages.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!data.messages.pageInfo.hasNextPage) return ids;
      after = data.messages.pageInfo.endCursor;
      await between?.();
    }
    throw new Error('too many pages');
  }

  it('pages through everything newest first, each message once, even while new ones arrive', async () => {
    const ids = await all(undefined, 10, async () => {
      await send(bulk, { to: CONTACT, body: 'arrives meanwhile' });
    });
    expect(ids).toEqual([...sent].reverse());
  });

  it('filters', async () => {
    const toOther = await all({ to: '(415) 555-0199' }, 7);
    expect(toOther).toEqual(sent.filter((_, i) => i % 3 === 0).reverse());
    expect(await all({ status: ['DELIVERED'] })).toEqual([]);
    expect((await all({ status: ['QUEUED', 'DELIVERED'] })).length).toBeGreaterThanOrEqual(45);
    expect(await all({ direction: 'INBOUND' })).toEqual([]);
    const { message } = await bulk.expectData<{ message: { createdAt: string } }>(
      `query($id: ID!) { message(id: $id) { createdAt } }`,
      { id: sent[20] },
    );
    const before = await all({ createdBefore: message.createdAt });
    expect(before).toEqual(sent.slice(0, 20).reverse());
    const since = await all({
      createdAfter: message.createdAt,
      createdBefore: new Date(Date.now() + 1000).toISOString(),
    });
    expect(since.slice(-25)).toEqual(sent.slice(20).reverse());
  });

  it('refuses foreign cursors and oversized pages', async () => {
    expect(await bulk.errorCodes(PAGE, { after: 'bm9wZQ' })).toEqual(['INVALID_PAGINATION']);
    expect(await bulk.errorCodes(PAGE, { first: 101 })).toEqual(['INVALID_PAGINATION']);
    const data = await bulk.expectData<PageView>(PAGE, { first: 0 });
    expect(data.messages.edges).toEqual([]);
  });

  it('Device.messages and Organization.messages resolve here', async () => {
    const { _entities } = await bulk.expectData<{
      _entities: { messages: { nodes: { id: string }[] } }[];
    }>(
      `query($r: [_Any!]!) { _entities(representations: $r) {
         ... on Organization { messages(first: 3) { nodes { id } } }
         ... on Device { messages(first: 3) { nodes { id } } } } }`,
      {
        r: [
          { __typename: 'Organization', id: bulkOrg },
          { __typename: 'Device', id: 'device-a' },
        ],
      },
    );
    expect(_entities[0].messages.nodes).toHaveLength(3);
    expect(_entities[1].messages.nodes).toEqual([]); // device-a belongs to another organization
    const message = await bulk.expectData<{ _entities: { id: string; body: string }[] }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Message { id body } } }`,
      { r: [{ __typename: 'Message', id: sent[0] }] },
    );
    expect(message._entities).toEqual([{ id: sent[0], body: 'bulk 0' }]);
  });

  it('publishes a subgraph schema that composes', async () => {
    const sdl = await expectCommittedSubgraphSchema(bulk, 'messaging');
    const _service = { sdl };
    expect(_service.sdl).toMatch(/type Message @key\(fields: "id"\)/);
    expect(_service.sdl).toMatch(/type Device @key\(fields: "id"\)/);
    expect(_service.sdl).toMatch(/type Organization @key\(fields: "id"\)/);
    const result = composeServices([
      { name: 'messaging', typeDefs: parse(_service.sdl), url: 'http://messaging' },
    ]);
    expect(result.errors ?? []).toEqual([]);
  });
});
