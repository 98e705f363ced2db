// Contacts, static lists and segments against real PostgreSQL: CRUD through GraphQL, one contact
// per organization and number, other tenants' contacts invisible, Relay connections, and the
// member counters that every write keeps (read without counting).
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Topics } from '@switchboard/contracts';
import type { GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import {
  eventually,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;
let alice: GraphQLClient;
let mallory: GraphQLClient;
let accounts: FakeService;
const org = randomUUID();

const CONTACT = `id phoneNumber name attributes optIn { source ip at text } createdAt updatedAt`;
const LIST = `id name kind filter memberCount`;

interface ContactView {
  id: string;
  phoneNumber: string;
  name: string | null;
  attributes: Record<string, string>;
  optIn: {
    source: string | null;
    ip: string | null;
    at: string | null;
    text: string | null;
  } | null;
}
interface ListView {
  id: string;
  name: string;
  kind: string;
  filter: Record<string, string> | null;
  memberCount: number;
}

beforeAll(async () => {
  stack = await startStack();
  app = await startApp(stack);
  alice = app.gql(await stack.tokens.user(org));
  accounts = new FakeService(stack.broker.brokers, 'accounts');
  for (const table of ['contacts', 'contact_lists', 'campaigns']) {
    await stack.sql(`CREATE POLICY test_owner_reads ON ${table} TO CURRENT_USER USING (true)`);
  }
  mallory = app.gql(await stack.tokens.user(randomUUID()));
}, 90_000);

afterAll(async () => {
  await accounts?.stop();
  await app?.close();
  await stack?.stop();
});

async function createContact(input: Record<string, unknown>, client = alice): Promise<ContactView> {
  return (
    await client.expectData<{ createContact: ContactView }>(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { ${CONTACT} } }`,
      { input },
    )
  ).createContact;
}

async function createList(input: Record<string, unknown>): Promise<ListView> {
  return (
    await alice.expectData<{ createContactList: ListView }>(
      `mutation($input: CreateContactListInput!) { createContactList(input: $input) { ${LIST} } }`,
      { input },
    )
  ).createContactList;
}

async function getList(id: string): Promise<ListView> {
  return (
    await alice.expectData<{ contactList: ListView }>(
      `query($id: ID!) { contactList(id: $id) { ${LIST} } }`,
      {
        id,
      },
    )
  ).contactList;
}

describe('contacts', () => {
  it('creates a contact with its number normalized in the organization’s country', async () => {
    const contact = await createContact({
      phoneNumber: '(415) 555-0101',
      name: ' Ann ',
      attributes: { first_name: 'Ann', city: 'SF' },
      optIn: { source: 'web form', ip: '203.0.113.7', at: '2026-01-02T03:04:05.000Z', text: 'Yes' },
    });
    expect(contact).toMatchObject({
      phoneNumber: '+14155550101',
      name: 'Ann',
      attributes: { first_name: 'Ann', city: 'SF' },
      optIn: { source: 'web form', ip: '203.0.113.7', at: '2026-01-02T03:04:05.000Z', text: 'Yes' },
    });
    const again = await alice.errorCodes(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
      { input: { phoneNumber: '+14155550101' } },
    );
    expect(again).toEqual(['CONTACT_EXISTS']);
    const bad = await alice.errorCodes(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
      { input: { phoneNumber: '12' } },
    );
    expect(bad).toEqual(['INVALID_NUMBER']);
  });

  it('keeps one contact per organization and number, and hides other tenants’ contacts', async () => {
    const mine = await createContact({ phoneNumber: '+14155550102' });
    const theirs = await createContact({ phoneNumber: '+14155550102' }, mallory);
    expect(theirs.id).not.toBe(mine.id);
    expect(
      await mallory.errorCodes(`query($id: ID!) { contact(id: $id) { id } }`, { id: mine.id }),
    ).toEqual(['CONTACT_NOT_FOUND']);
    expect(
      await mallory.errorCodes(
        `mutation($id: ID!) { updateContact(id: $id, input: { name: "x" }) { id } }`,
        { id: mine.id },
      ),
    ).toEqual(['CONTACT_NOT_FOUND']);
    const found = await alice.expectData<{ contacts: { nodes: ContactView[] } }>(
      `query { contacts(filter: { phoneNumber: "415-555-0102" }) { nodes { ${CONTACT} } } }`,
    );
    expect(found.contacts.nodes.map((c) => c.id)).toEqual([mine.id]);
  });

  it('updates what the input names and deletes', async () => {
    const contact = await createContact({
      phoneNumber: '+14155550103',
      name: 'Bo',
      attributes: { a: '1' },
    });
    const updated = (
      await alice.expectData<{ updateContact: ContactView }>(
        `mutation($id: ID!) { updateContact(id: $id, input: { attributes: { b: "2" } }) { ${CONTACT} } }`,
        { id: contact.id },
      )
    ).updateContact;
    expect(updated).toMatchObject({ name: 'Bo', attributes: { b: '2' } });
    expect(
      (
        await alice.expectData<{ deleteContact: boolean }>(
          `mutation($id: ID!) { deleteContact(id: $id) }`,
          { id: contact.id },
        )
      ).deleteContact,
    ).toBe(true);
    expect(
      await alice.errorCodes(`query($id: ID!) { contact(id: $id) { id } }`, { id: contact.id }),
    ).toEqual(['CONTACT_NOT_FOUND']);
  });

  it('pages contacts newest first with cursors', async () => {
    const tenant = app.gql(await stack.tokens.user(randomUUID()));
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      created.push((await createContact({ phoneNumber: `+1415555020${i}` }, tenant)).id);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        contacts: {
          edges: { cursor: string; node: { id: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } = await tenant.expectData(
        `query($after: String) { contacts(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...page.contacts.edges.map((e) => e.node.id));
      if (!page.contacts.pageInfo.hasNextPage) break;
      after = page.contacts.pageInfo.endCursor;
    }
    expect(seen).toEqual([...created].reverse());
  });
});

describe('lists and segments', () => {
  it('keeps a static list’s counter through adds, removes and deletes', async () => {
    const list = await createList({ name: 'VIP' });
    expect(list).toMatchObject({ kind: 'STATIC', memberCount: 0 });
    const a = await createContact({ phoneNumber: '+14155550301' });
    const b = await createContact({ phoneNumber: '+14155550302' });
    const add = `mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { ${LIST} } }`;
    expect(
      (
        await alice.expectData<{ addContactsToList: ListView }>(add, {
          id: list.id,
          ids: [a.id, b.id],
        })
      ).addContactsToList.memberCount,
    ).toBe(2);
    // Adding a member again changes nothing.
    expect(
      (await alice.expectData<{ addContactsToList: ListView }>(add, { id: list.id, ids: [a.id] }))
        .addContactsToList.memberCount,
    ).toBe(2);
    const members = await alice.expectData<{
      contactList: { members: { nodes: { id: string }[] } };
    }>(`query($id: ID!) { contactList(id: $id) { members(first: 10) { nodes { id } } } }`, {
      id: list.id,
    });
    expect(members.contactList.members.nodes.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    await alice.expectData(
      `mutation($id: ID!, $ids: [ID!]!) { removeContactsFromList(id: $id, contactIds: $ids) { id } }`,
      { id: list.id, ids: [a.id] },
    );
    expect((await getList(list.id)).memberCount).toBe(1);
    await alice.expectData(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: b.id });
    expect((await getList(list.id)).memberCount).toBe(0);
  });

  it('counts a segment’s members as contacts come, change and go', async () => {
    const tenant = app.gql(await stack.tokens.user(randomUUID()));
    await createContact({ phoneNumber: '+14155550401', attributes: { tier: 'gold' } }, tenant);
    const segment = (
      await tenant.expectData<{ createContactList: ListView }>(
        `mutation { createContactList(input: { name: "Gold", filter: { tier: "gold" } }) { ${LIST} } }`,
      )
    ).createContactList;
    expect(segment).toMatchObject({ kind: 'SEGMENT', memberCount: 1, filter: { tier: 'gold' } });
    const second = await createContact(
      { phoneNumber: '+14155550402', attributes: { tier: 'gold' } },
      tenant,
    );
    await createContact({ phoneNumber: '+14155550403', attributes: { tier: 'silver' } }, tenant);
    const count = async () =>
      (
        await tenant.expectData<{ contactList: ListView }>(
          `query($id: ID!) { contactList(id: $id) { ${LIST} } }`,
          { id: segment.id },
        )
      ).contactList.memberCount;
    expect(await count()).toBe(2);
    await tenant.expectData(
      `mutation($id: ID!) { updateContact(id: $id, input: { attributes: { tier: "silver" } }) { id } }`,
      { id: second.id },
    );
    expect(await count()).toBe(1);
    expect(
      await tenant.errorCodes(
        `mutation($id: ID!, $ids: [ID!]!) { addContactsToList(id: $id, contactIds: $ids) { id } }`,
        { id: segment.id, ids: [second.id] },
      ),
    ).toEqual(['INVALID_CONTACT_LIST']);
  });
});

describe('organization purge', () => {
  it('deletes the organization’s contacts, lists and campaigns', async () => {
    const tenant = randomUUID();
    const client = app.gql(await stack.tokens.user(tenant));
    await createContact({ phoneNumber: '+14155550501' }, client);
    const list = (
      await client.expectData<{ createContactList: { id: string } }>(
        `mutation { createContactList(input: { name: "Leaving" }) { id } }`,
      )
    ).createContactList;
    await client.expectData(
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`,
      { input: { name: 'Bye', listId: list.id, template: 'Bye', ratePerMinute: 60 } },
    );
    await accounts.publish(Topics.accounts.organization, tenant, tenant, {
      orgId: tenant,
      occurredAt: timestampFromDate(new Date()),
      event: { case: 'deleted', value: { slug: tenant } },
    });
    await eventually(
      'purged',
      async () =>
        (await stack.sql(`SELECT 1 FROM purged_organizations WHERE org_id = $1`, [tenant]))
          .length === 1,
      30_000,
    );
    const left = await stack.sql(
      `SELECT 'contact' FROM contacts WHERE org_id = $1
       UNION ALL SELECT 'list' FROM contact_lists WHERE org_id = $1
       UNION ALL SELECT 'campaign' FROM campaigns WHERE org_id = $1`,
      [tenant],
    );
    expect(left).toEqual([]);
  });
});
