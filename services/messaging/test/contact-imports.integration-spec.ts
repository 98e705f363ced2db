// CSV contact imports against real PostgreSQL and Kafka: the signed upload link, a file with
// every kind of bad row and its report, duplicates merged, `;` and a BOM, progress visible while
// the body is still arriving, a re-upload after STOP that does not resubscribe, and 20,000 rows.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { complianceV1, Topics } from '@switchboard/contracts';
import type { GraphQLClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { send } from './support/messaging-api';
import {
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

let stack: MessagingStack;
let app: RunningApp;
let compliance: FakeService;
const org = randomUUID();
let alice: GraphQLClient;

const IMPORT = `id listId status rowsRead rowsAccepted rowsRejected rowsDuplicate contactsCreated contactsUpdated failure reportUrl`;

interface ImportView {
  id: string;
  listId: string | null;
  status: string;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rowsDuplicate: number;
  contactsCreated: number;
  contactsUpdated: number;
  failure: string | null;
  reportUrl: string | null;
}

beforeAll(async () => {
  stack = await startStack();
  // Small batches: progress is committed (and visible) every 2 rows.
  app = await startApp(stack, { CONTACT_IMPORT_BATCH_SIZE: '2' });
  compliance = new FakeService(stack.broker.brokers, 'compliance');
  await stack.sql(`CREATE POLICY test_owner_reads ON contacts TO CURRENT_USER USING (true)`);
  alice = app.gql(await stack.tokens.user(org));
}, 90_000);

afterAll(async () => {
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

/** The public link as the gateway would forward it: same path and query, to messaging. */
const local = (url: string) => {
  const u = new URL(url);
  return `${app.url}${u.pathname}${u.search}`;
};

async function createImport(client = alice, listId?: string) {
  return (
    await client.expectData<{
      createContactImport: { import: ImportView; uploadUrl: string; uploadExpiresAt: string };
    }>(
      `mutation($input: CreateContactImportInput) { createContactImport(input: $input) { import { ${IMPORT} } uploadUrl uploadExpiresAt } }`,
      { input: listId ? { listId } : null },
    )
  ).createContactImport;
}

async function getImport(id: string, client = alice): Promise<ImportView> {
  return (
    await client.expectData<{ contactImport: ImportView }>(
      `query($id: ID!) { contactImport(id: $id) { ${IMPORT} } }`,
      { id },
    )
  ).contactImport;
}

async function upload(
  url: string,
  body: Buffer | string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(local(url), {
    method: 'PUT',
    headers: { 'content-type': 'text/csv' },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function report(url: string): Promise<string[][]> {
  const response = await fetch(local(url));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/csv/);
  return (await response.text())
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',').slice(0, 3));
}

async function importFile(body: Buffer | string, client = alice, listId?: string) {
  const ticket = await createImport(client, listId);
  const result = await upload(ticket.uploadUrl, body);
  expect(result.status).toBe(200);
  return { ticket, done: await getImport(ticket.import.id, client) };
}

describe('contact imports', () => {
  it('reports every kind of bad row by row, column and reason, and imports the rest', async () => {
    const csv = Buffer.concat([
      Buffer.from(
        [
          'phone,name,city',
          '(415) 555-1001,Ann,SF', // 2 ok (national, the organization's country)
          '12,Bad,LA', // 3 bad number
          ',Nobody,LA', // 4 missing phone
          '+14155551002,Too,Many,Cells', // 5 wrong column count
          '',
        ].join('\n'),
      ),
      Buffer.from([0x2b, 0x31, 0x34, 0x31, 0x35, 0x35, 0x35, 0x35, 0x31, 0x30, 0x30, 0x33]),
      Buffer.from(',B'),
      Buffer.from([0xff, 0xfe]), // 6 bad encoding (not UTF-8) in name
      Buffer.from(',NY\n'),
      Buffer.from('+1 415 555 1001,Ann B,Oakland\n'), // 7 duplicate of row 2: merged
    ]);
    const { done } = await importFile(csv);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      rowsRead: 6,
      rowsAccepted: 1,
      rowsRejected: 4,
      rowsDuplicate: 1,
      contactsCreated: 1,
    });
    expect(await report(done.reportUrl!)).toEqual([
      ['3', 'phone', 'BAD_NUMBER'],
      ['4', 'phone', 'MISSING_PHONE'],
      ['5', '', 'WRONG_COLUMN_COUNT'],
      ['6', 'name', 'BAD_ENCODING'],
      ['7', 'phone', 'DUPLICATE'],
    ]);
    const contact = await alice.expectData<{
      contacts: { nodes: { name: string; attributes: Record<string, string> }[] };
    }>(`query { contacts(filter: { phoneNumber: "+14155551001" }) { nodes { name attributes } } }`);
    // The duplicate's cells were merged into the first row's contact.
    expect(contact.contacts.nodes).toEqual([{ name: 'Ann B', attributes: { city: 'Oakland' } }]);
  });

  it('counts the same with a segment (contacts read before the batch) and keeps its count right', async () => {
    // With a segment the batch reads (and locks) its numbers first for the counters; without,
    // the upsert alone tells new, updated and duplicate apart. Both must report the same.
    const tenant = app.gql(await stack.tokens.user(randomUUID()));
    const segment = (
      await tenant.expectData<{ createContactList: { id: string } }>(
        `mutation { createContactList(input: { name: "Gold", filter: { tier: "gold" } }) { id } }`,
      )
    ).createContactList;
    const csv = [
      'phone,tier',
      '+14155552001,gold', // 2
      '+14155552002,silver', // 3 (another batch: 2 rows a batch)
      '+14155552001,gold', // 4 duplicate of row 2, in another batch
      '+14155552003,gold', // 5
      '',
    ].join('\n');
    const first = await importFile(csv, tenant);
    expect(first.done).toMatchObject({
      rowsRead: 4,
      rowsAccepted: 3,
      rowsDuplicate: 1,
      contactsCreated: 3,
      contactsUpdated: 0,
    });
    expect(await report(first.done.reportUrl!)).toEqual([['4', 'phone', 'DUPLICATE']]);
    const again = await importFile(csv.replace('+14155552002,silver', '+14155552002,gold'), tenant);
    expect(again.done).toMatchObject({
      rowsAccepted: 3,
      rowsDuplicate: 1,
      contactsCreated: 0,
      contactsUpdated: 3,
    });
    const count = await tenant.expectData<{ contactList: { memberCount: number } }>(
      `query($id: ID!) { contactList(id: $id) { memberCount } }`,
      { id: segment.id },
    );
    expect(count.contactList.memberCount).toBe(3);
  });

  it('tells new, updated and duplicate rows apart without segments too, across batches', async () => {
    const tenant = app.gql(await stack.tokens.user(randomUUID()));
    const csv = ['phone', '+14155552101', '+14155552102', '+14155552101', '+14155552103', ''].join(
      '\n',
    );
    const first = await importFile(csv, tenant);
    expect(first.done).toMatchObject({ rowsAccepted: 3, rowsDuplicate: 1, contactsCreated: 3 });
    expect(await report(first.done.reportUrl!)).toEqual([['4', 'phone', 'DUPLICATE']]);
    const again = await importFile(csv, tenant);
    expect(again.done).toMatchObject({
      rowsAccepted: 3,
      rowsDuplicate: 1,
      contactsCreated: 0,
      contactsUpdated: 3,
    });
    expect(await report(again.done.reportUrl!)).toEqual([['4', 'phone', 'DUPLICATE']]);
  });

  it('reads `;`, a BOM and opt-in columns, and fills a static list', async () => {
    const tenantId = randomUUID();
    const tenant = app.gql(await stack.tokens.user(tenantId));
    const list = (
      await tenant.expectData<{ createContactList: { id: string } }>(
        `mutation { createContactList(input: { name: "Imported" }) { id } }`,
      )
    ).createContactList;
    const csv = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(
        'Phone;Name;Opt-In Source;opt_in_ip;opt_in_at;tier\n+14155552001;Zoë;web;203.0.113.5;2026-01-02T03:04:05Z;gold\n+14155552002;"Semi; Colon";;;;\n',
      ),
    ]);
    const { done } = await importFile(csv, tenant, list.id);
    expect(done).toMatchObject({ status: 'COMPLETED', rowsAccepted: 2, rowsRejected: 0 });
    const read = await tenant.expectData<{
      contactList: { memberCount: number; members: { nodes: Record<string, unknown>[] } };
    }>(
      `query($id: ID!) { contactList(id: $id) { memberCount members { nodes { phoneNumber name attributes optIn { source ip at } } } } }`,
      { id: list.id },
    );
    expect(read.contactList.memberCount).toBe(2);
    expect(read.contactList.members.nodes).toEqual(
      expect.arrayContaining([
        {
          phoneNumber: '+14155552001',
          name: 'Zoë',
          attributes: { tier: 'gold' },
          optIn: { source: 'web', ip: '203.0.113.5', at: '2026-01-02T03:04:05.000Z' },
        },
        { phoneNumber: '+14155552002', name: 'Semi; Colon', attributes: {}, optIn: null },
      ]),
    );
    // Consent goes to compliance through the outbox, only for the row with opt-in columns.
    const requests = await stack.sql<{ record_key: string }>(
      `SELECT record_key FROM outbox WHERE topic = 'compliance.opt-out-request.v1' AND record_key LIKE $1`,
      [`${tenantId}:%`],
    );
    expect(requests.map((r) => r.record_key)).toEqual([`${tenantId}:+14155552001`]);
  });

  it('shows progress while the file is still arriving', async () => {
    const tenant = app.gql(await stack.tokens.user(randomUUID()));
    const ticket = await createImport(tenant);
    const body = new PassThrough();
    const answer = new Promise<number>((resolve, reject) => {
      const url = new URL(local(ticket.uploadUrl));
      const req = request(
        url,
        { method: 'PUT', headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      body.pipe(req);
    });
    body.write('phone,name\n+14155553001,A\n+14155553002,B\n+14155553003,C\n');
    const partial = await eventually('rows read before the end of the file', async () => {
      const seen = await getImport(ticket.import.id, tenant);
      return seen.status === 'RUNNING' && seen.rowsRead >= 2 ? seen : undefined;
    });
    expect(partial.rowsAccepted).toBeGreaterThanOrEqual(2);
    body.end('+14155553004,D\n');
    expect(await answer).toBe(200);
    expect(await getImport(ticket.import.id, tenant)).toMatchObject({
      status: 'COMPLETED',
      rowsAccepted: 4,
    });
  });

  it('never resubscribes a number that sent STOP, whatever the file says', async () => {
    const tenant = randomUUID();
    const client = app.gql(await stack.tokens.user(tenant));
    const to = '+14155554001';
    await importFile(`phone,name\n${to},First\n`, client);
    await handled(stack, [
      await compliance.publish(Topics.compliance.suppression, `${tenant}:${to}`, tenant, {
        orgId: tenant,
        phoneNumber: { e164: to },
        optedOut: true,
        optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
        optedOutChangedAt: timestampFromDate(new Date()),
        version: 1n,
        updatedAt: timestampFromDate(new Date()),
      }),
    ]);
    const { done } = await importFile(
      `phone,name,opt_in_source,opt_in_at,opted_out,subscribed\n${to},Again,web,2026-02-01T00:00:00Z,false,yes\n`,
      client,
    );
    expect(done).toMatchObject({ status: 'COMPLETED', rowsAccepted: 1, contactsUpdated: 1 });
    const [state] = await stack.sql<{ opted_out: boolean; consent: boolean }>(
      `SELECT opted_out, consent FROM suppression_states WHERE org_id = $1 AND phone_number = $2`,
      [tenant, to],
    );
    expect(state).toEqual({ opted_out: true, consent: false });
    // And no consent was asked of compliance for the opted-out number.
    expect(
      await stack.sql(
        `SELECT 1 FROM outbox WHERE topic = 'compliance.opt-out-request.v1' AND record_key = $1`,
        [`${tenant}:${to}`],
      ),
    ).toEqual([]);
    const message = await send(client, { to, body: 'still there?' });
    expect(message).toMatchObject({ status: 'REJECTED', error: { code: 'OPTED_OUT' } });
  });

  it('takes a link once, for its own import only', async () => {
    const ticket = await createImport();
    const other = await createImport();
    const forged = new URL(ticket.uploadUrl);
    forged.pathname = forged.pathname.replace(ticket.import.id, other.import.id);
    expect((await upload(forged.toString(), 'phone\n+14155555001\n')).status).toBe(403);
    expect((await upload(ticket.uploadUrl, 'phone\n+14155555001\n')).status).toBe(200);
    const again = await upload(ticket.uploadUrl, 'phone\n+14155555002\n');
    expect(again).toMatchObject({ status: 409, json: { code: 'IMPORT_ALREADY_UPLOADED' } });
    const mallory = app.gql(await stack.tokens.user(randomUUID()));
    expect(
      await mallory.errorCodes(`query($id: ID!) { contactImport(id: $id) { id } }`, {
        id: ticket.import.id,
      }),
    ).toEqual(['CONTACT_IMPORT_NOT_FOUND']);
  });

  it('fails a file without a phone column, saying why', async () => {
    const ticket = await createImport();
    const result = await upload(ticket.uploadUrl, 'name,city\nAnn,SF\n');
    expect(result).toMatchObject({ status: 400, json: { code: 'INVALID_IMPORT_FILE' } });
    expect(await getImport(ticket.import.id)).toMatchObject({
      status: 'FAILED',
      failure: expect.stringMatching(/no phone column/),
    });
  });

  it('imports 20,000 rows, and a re-upload updates instead of duplicating', async () => {
    const tenant = randomUUID();
    const client = app.gql(await stack.tokens.user(tenant));
    const big = await startApp(stack, { CONTACT_IMPORT_BATCH_SIZE: '2000' });
    try {
      const bigClient = big.gql(await stack.tokens.user(tenant));
      const rows = (n: string) =>
        [
          'phone,name,n',
          ...Array.from({ length: 20_000 }, (_, i) => `+1415${6_000_000 + i},P${i},${n}`),
        ].join('\n');
      const first = await createImport(bigClient);
      const put = (url: string, body: string) =>
        fetch(`${big.url}${new URL(url).pathname}${new URL(url).search}`, {
          method: 'PUT',
          headers: { 'content-type': 'text/csv' },
          body,
        });
      expect((await put(first.uploadUrl, rows('1'))).status).toBe(200);
      expect(await getImport(first.import.id, client)).toMatchObject({
        status: 'COMPLETED',
        rowsRead: 20_000,
        rowsAccepted: 20_000,
        contactsCreated: 20_000,
      });
      const second = await createImport(bigClient);
      expect((await put(second.uploadUrl, rows('2'))).status).toBe(200);
      expect(await getImport(second.import.id, client)).toMatchObject({
        contactsCreated: 0,
        contactsUpdated: 20_000,
      });
      const [{ n, updated }] = await stack.sql<{ n: number; updated: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE attributes->>'n' = '2')::int AS updated
           FROM contacts WHERE org_id = $1`,
        [tenant],
      );
      expect({ n, updated }).toEqual({ n: 20_000, updated: 20_000 });
    } finally {
      await big.close();
    }
  }, 120_000);
});
