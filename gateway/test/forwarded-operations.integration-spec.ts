// Forwarded operations (gateway/README.md): an operation planned as one fetch from one subgraph
// asking what the client asked goes to that subgraph without Apollo Gateway's executor from its
// second time on. Every answer is compared with a gateway that never forwards
// (FORWARD_OPERATIONS=false) in front of the same real subgraphs.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { TestTokenIssuer } from '@switchboard/testing';
import { composeSupergraph } from '../src/compose';
import type { RateLimitStore } from '../src/edge-rate-limit';
import { fixtureSubgraph, type SeenRequest } from './support/fixture-subgraph';
import { startTestGateway } from './support/test-gateway';

const SUBGRAPH_SECRET = 'gateway-test-subgraph-secret-0123456789';

const notesTypeDefs = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  enum Kind { PLAIN PINNED }
  input NoteFilter { kind: Kind, textContains: String }
  interface Item { id: ID! }
  type Note implements Item @key(fields: "id") { id: ID!, text: String!, kind: Kind!, tags: [String!]! }
  type Query {
    notes(first: Int!, filter: NoteFilter): [Note!]!
    items: [Item!]!
    boom: String
  }
  type Mutation { addNote(text: String!): Note! }
`;
// Nothing listens on port 1: every request to this subgraph fails.
const ghostTypeDefs = `
  type Query { ghost: String }
  type Mutation { haunt: String }
`;
const starsTypeDefs = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Note @key(fields: "id") { id: ID!, stars: Int! }
`;

const NOTES = [
  { id: 'n1', text: 'first', kind: 'PLAIN', tags: ['a'] },
  { id: 'n2', text: 'second "quoted"', kind: 'PINNED', tags: [] },
  { id: 'n3', text: 'third', kind: 'PINNED', tags: ['b', 'c'] },
];

type Filter = { kind?: string; textContains?: string };

/** Notes added (each call of the addNote resolver). */
const added: string[] = [];

function notesSubgraph() {
  return fixtureSubgraph(notesTypeDefs, {
    Query: {
      notes: (_: unknown, args: { first: number; filter?: Filter }) =>
        NOTES.filter(
          (n) =>
            (!args.filter?.kind || n.kind === args.filter.kind) &&
            (!args.filter?.textContains || n.text.includes(args.filter.textContains)),
        ).slice(0, args.first),
      items: () => NOTES,
      boom: () => {
        throw new GraphQLError('kaboom', { extensions: { code: 'BOOM' } });
      },
    },
    Item: { __resolveType: () => 'Note' },
    Mutation: {
      addNote: (_: unknown, args: { text: string }) => {
        added.push(args.text);
        if (!args.text)
          throw new GraphQLError('text is empty', { extensions: { code: 'BAD_USER_INPUT' } });
        return { ...NOTES[0], id: `note-${args.text}`, ...args };
      },
    },
  });
}

function starsSubgraph() {
  return fixtureSubgraph(starsTypeDefs, {
    Note: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, stars: ref.id.length }) },
  });
}

/** A rate limit store that counts what it is asked and refuses when told to. */
class CountingStore implements RateLimitStore {
  calls = 0;
  refuse = false;
  async consume() {
    this.calls++;
    return this.refuse
      ? { allowed: false as const, retryAfterSeconds: 7 }
      : { allowed: true as const };
  }
}

interface Answer {
  status: number;
  contentType: string | null;
  cacheControl: string | null;
  retryAfter: string | null;
  body: string;
}

describe('forwarded operations', () => {
  let issuer: TestTokenIssuer;
  let notes: Awaited<ReturnType<typeof notesSubgraph>>;
  let stars: Awaited<ReturnType<typeof starsSubgraph>>;
  let supergraphFile: string;
  const stops: (() => Promise<void>)[] = [];

  /** A gateway over the two subgraphs, with its log lines and rate limit store. */
  async function boot(env: Record<string, string> = {}) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const store = new CountingStore();
    // Accounts' token exchange, refusing every API token: how often it is asked.
    const exchange = { calls: 0, exchange: async () => (exchange.calls++, null) };
    const gateway = await startTestGateway({
      env: {
        ...issuer.authEnv,
        SUPERGRAPH_FILE: supergraphFile,
        SUBGRAPH_SHARED_SECRET: SUBGRAPH_SECRET,
        ...env,
      },
      exchange,
      logger: pino({ level: 'info' }, sink),
      rateLimitStore: store,
    });
    stops.push(() => gateway.stop());
    const url = `${gateway.origin}/graphql`;
    return {
      store,
      exchange,
      /** The subgraph each 'graphql operation' line says it was forwarded to (undefined: not). */
      forwarded: () =>
        lines.filter((l) => l.msg === 'graphql operation').map((l) => l.forwarded as string),
      async post(
        body: Record<string, unknown>,
        headers: Record<string, string> = {},
      ): Promise<Answer> {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
        return {
          status: response.status,
          contentType: response.headers.get('content-type'),
          cacheControl: response.headers.get('cache-control'),
          retryAfter: response.headers.get('retry-after'),
          body: await response.text(),
        };
      },
    };
  }
  let reference: Awaited<ReturnType<typeof boot>>;
  let gateway: Awaited<ReturnType<typeof boot>>;

  /** What the subgraph was sent, without what differs from request to request. */
  const sent = (request: SeenRequest | undefined) => ({
    body: request?.body,
    headers: Object.fromEntries(
      ['authorization', 'content-type', 'user-agent', 'x-forwarded-for', 'x-subgraph-secret'].map(
        (name) => [name, request?.headers[name]],
      ),
    ),
  });

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    notes = await notesSubgraph();
    stars = await starsSubgraph();
    const dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
    supergraphFile = join(dir, 'supergraph.graphql');
    writeFileSync(
      supergraphFile,
      composeSupergraph([
        { name: 'notes', url: notes.url, typeDefs: notesTypeDefs },
        { name: 'stars', url: stars.url, typeDefs: starsTypeDefs },
        { name: 'ghost', url: 'http://127.0.0.1:1/graphql', typeDefs: ghostTypeDefs },
      ]),
    );
  });
  beforeEach(async () => {
    reference = await boot({ FORWARD_OPERATIONS: 'false' });
    gateway = await boot();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  afterAll(async () => {
    await stars?.stop();
    await notes?.stop();
    await issuer?.stop();
  });

  it('sends a query planned as one fetch straight to its subgraph from its second time on, answering exactly as Apollo does', async () => {
    const token = await issuer.user(randomUUID());
    const query =
      'query Notes($first: Int!, $filter: NoteFilter) { notes(first: $first, filter: $filter) { id text kind tags } }';
    const cases: [Record<string, unknown>, Record<string, string>][] = [
      [{ first: 3 }, {}],
      [{ first: 2, filter: { kind: 'PINNED' } }, { accept: 'application/json' }],
      [
        { first: 1, filter: { textContains: 'quoted' } },
        { accept: 'application/graphql-response+json, application/json;q=0.9' },
      ],
      [{ first: 3, filter: null }, { 'user-agent': 'switchboard-test/1.0' }],
    ];
    for (const [variables, headers] of cases) {
      const auth = { authorization: `Bearer ${token}`, ...headers };
      const want = await reference.post({ query, variables }, auth);
      // Twice: the very first request of the query is planned, every other one forwarded.
      const once = await gateway.post({ query, variables, operationName: 'Notes' }, auth);
      const sentOnce = notes.seen.at(-1);
      const again = await gateway.post({ query, variables, operationName: 'Notes' }, auth);
      expect(want.status).toBe(200);
      expect(JSON.parse(want.body).data.notes.length).toBeGreaterThan(0);
      expect(once).toEqual(want);
      expect(again).toEqual(want);
      // The subgraph got the same request both times: the planner's query, the same headers.
      expect(sent(notes.seen.at(-1))).toEqual(sent(sentOnce));
      expect(notes.seen.at(-1)?.headers['x-request-id']).toEqual(expect.any(String));
    }
    // The first request of the query was planned; every later one was forwarded.
    expect(gateway.forwarded()).toEqual([
      undefined,
      'notes',
      'notes',
      'notes',
      'notes',
      'notes',
      'notes',
      'notes',
    ]);
    // Identified and counted once a request, as on Apollo's path.
    expect(gateway.store.calls).toBe(8);
    expect(reference.forwarded()).toEqual(Array(4).fill(undefined));
  });

  it('forwards a query written with fragments, and one without a name', async () => {
    for (const query of [
      'query Pinned { notes(first: 2, filter: { kind: PINNED }) { ...Basics tags } } fragment Basics on Note { id ... on Note { text } }',
      '{ notes(first: 1) { id } }',
    ]) {
      const want = await reference.post({ query });
      expect(await gateway.post({ query })).toEqual(want);
      expect(await gateway.post({ query })).toEqual(want);
    }
    expect(gateway.forwarded()).toEqual([undefined, 'notes', undefined, 'notes']);
  });

  it('leaves to Apollo the operations it must shape or join', async () => {
    for (const query of [
      // An interface: the planner asks for __typename, which the client did not.
      '{ items { id } }',
      // Two subgraphs.
      '{ notes(first: 2) { id stars } }',
      // A field asked twice: the planner merges it.
      '{ notes(first: 1) { id id } }',
      // A mutation whose answer spans two subgraphs.
      'mutation { addNote(text: "new") { id stars } }',
    ]) {
      const want = await reference.post({ query });
      expect(want.status).toBe(200);
      expect(await gateway.post({ query })).toEqual(want);
      expect(await gateway.post({ query })).toEqual(want);
    }
    expect(gateway.forwarded()).toEqual(Array(8).fill(undefined));
  });

  it('forwards a mutation, which runs once whether it succeeds or fails', async () => {
    const token = await issuer.user(randomUUID());
    const mutation = 'mutation Add($text: String!) { addNote(text: $text) { id text kind } }';
    const auth = { authorization: `Bearer ${token}` };
    for (const text of ['one', 'two', '', 'three', '']) {
      const want = await reference.post({ query: mutation, variables: { text } }, auth);
      const before = added.length;
      expect(await gateway.post({ query: mutation, variables: { text } }, auth)).toEqual(want);
      // One call of the resolver a request: a forwarded mutation is never sent twice.
      expect(added.slice(before)).toEqual([text]);
      if (!text) expect(JSON.parse(want.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    // The first was planned, the others forwarded; a failed one was answered by Apollo.
    expect(gateway.forwarded()).toEqual([undefined, 'notes', 'notes']);
  });

  it('answers as Apollo does when a subgraph cannot be reached', async () => {
    for (const query of ['{ ghost }', '{ ghost }', 'mutation { haunt }', 'mutation { haunt }']) {
      const want = await reference.post({ query });
      expect(JSON.parse(want.body).errors[0].message).toMatch(/ECONNREFUSED/);
      expect(await gateway.post({ query })).toEqual(want);
    }
    expect(gateway.forwarded()).toEqual([]);
  });

  it('hands errors, bad variables and refused requests to Apollo, counting each request once', async () => {
    const query = 'query Notes($first: Int!) { notes(first: $first) { id } }';
    await gateway.post({ query, variables: { first: 1 } }); // planned: forwardable from now on
    const calls = () => gateway.store.calls;

    // An answer with errors: Apollo's, as the reference gateway gives it, from one request to
    // the subgraph (the forwarding path's answer is the one Apollo shapes).
    for (const boom of ['{ boom }', '{ boom }', '{ boom }']) {
      const want = await reference.post({ query: boom });
      expect(JSON.parse(want.body).errors[0].message).toBe('kaboom');
      const asked = notes.seen.length;
      expect(await gateway.post({ query: boom })).toEqual(want);
      expect(notes.seen.length - asked).toBe(1);
    }

    // Variables the supergraph refuses: Apollo's 400, and the subgraph is not asked.
    let seen = notes.seen.length;
    let before = calls();
    const wrong = await reference.post({ query, variables: { first: 'many' } });
    expect(wrong.status).toBe(400);
    seen = notes.seen.length;
    expect(await gateway.post({ query, variables: { first: 'many' } })).toEqual(wrong);
    expect(await gateway.post({ query, variables: {} })).toEqual(
      await reference.post({ query, variables: {} }),
    );
    expect(notes.seen.length).toBe(seen);
    expect(calls() - before).toBe(2);

    // Refused credentials: 401, counted against the address once.
    before = calls();
    const unauthenticated = await reference.post(
      { query, variables: { first: 1 } },
      { authorization: 'Bearer not-a-jwt' },
    );
    expect(unauthenticated.status).toBe(401);
    expect(
      await gateway.post({ query, variables: { first: 1 } }, { authorization: 'Bearer not-a-jwt' }),
    ).toEqual(unauthenticated);
    expect(notes.seen.length).toBe(seen);
    expect(calls() - before).toBe(1);
    // A refused API token: accounts is asked once a request, whichever path answers it.
    const revoked = await reference.post(
      { query, variables: { first: 1 } },
      { authorization: 'Bearer sbk_revoked' },
    );
    expect(revoked.status).toBe(401);
    expect(
      await gateway.post(
        { query, variables: { first: 1 } },
        { authorization: 'Bearer sbk_revoked' },
      ),
    ).toEqual(revoked);
    expect(gateway.exchange.calls).toBe(1);
    expect(notes.seen.length).toBe(seen);

    // Over the limit: 429 with Retry-After, counted once, the subgraph not asked.
    reference.store.refuse = gateway.store.refuse = true;
    before = calls();
    const limited = await reference.post({ query, variables: { first: 1 } });
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toBe('7');
    expect(await gateway.post({ query, variables: { first: 1 } })).toEqual(limited);
    expect(notes.seen.length).toBe(seen);
    expect(calls() - before).toBe(1);
    expect(gateway.forwarded().filter(Boolean)).toEqual([]);
  });
});
