// The per-organization send rate limit against real PostgreSQL: two replicas of the service on
// one database, counting in @switchboard/rate-limit's table, with a clock only the test moves.
import { randomUUID } from 'node:crypto';
import { Clock } from '@switchboard/service-kit';
import type { GraphQLClient } from '@switchboard/testing';
import { send, SEND, type MessageView } from './support/messaging-api';
import {
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const TO = '+14155550123';

let stack: MessagingStack;
let first: RunningApp;
let second: RunningApp;
/** Time stands still unless the test moves it: a slow machine cannot open the window early. */
class FrozenClock extends Clock {
  private at = new Date();

  now(): Date {
    return new Date(this.at);
  }

  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}
const clock = new FrozenClock();

beforeAll(async () => {
  // 2 sends per second on average, bursts of 3: at most 3 sends in any 1.5 s.
  stack = await startStack({ MESSAGE_SEND_RATE_PER_SECOND: '2', MESSAGE_SEND_BURST: '3' });
  [first, second] = await Promise.all([
    startApp(stack, {}, { clock }),
    startApp(stack, {}, { clock }),
  ]);
}, 60_000);

afterAll(async () => {
  await second?.close();
  await first?.close();
  await stack?.stop();
});

async function countMessages(org: string): Promise<number> {
  const rows = await stack.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages WHERE org_id = $1`,
    [org],
  );
  return rows[0].n;
}

const attempt = (client: GraphQLClient, body: string) =>
  client.request<{ sendMessage: MessageView }>(SEND, { input: { to: TO, body } });

describe('per-organization send rate limit', () => {
  it('lets a burst through, refuses the next with RATE_LIMITED and a retry-after, on every replica', async () => {
    const org = randomUUID();
    const token = await stack.tokens.user(org);
    const [a, b] = [first.gql(token), second.gql(token)];

    // A parallel burst of 8 over both replicas: exactly the burst gets through.
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => attempt(i % 2 ? a : b, `burst ${i}`)),
    );
    expect(burst.filter((r) => r.data?.sendMessage.status === 'QUEUED')).toHaveLength(3);
    const refusals = burst.filter((r) => r.errors);
    expect(refusals).toHaveLength(5);
    for (const refusal of refusals) {
      expect(refusal.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      const retryAfter = refusal.errors?.[0].extensions?.retryAfterSeconds as number;
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2).toBe(true);
    }
    // A refused send stores nothing.
    expect(await countMessages(org)).toBe(3);

    // Another organization has its own limit.
    const other = first.gql(await stack.tokens.user(randomUUID()));
    expect((await send(other, { to: TO, body: 'not limited' })).status).toBe('QUEUED');

    // Once the window has passed, the organization sends again (on either replica).
    clock.advance(1600);
    expect((await send(b, { to: TO, body: 'after the wait' })).status).toBe('QUEUED');
    expect(await countMessages(org)).toBe(4);
  });

  it('counts new messages only: an idempotent replay or an invalid request is not a send', async () => {
    const client = first.gql(await stack.tokens.user(randomUUID()));
    expect(await client.errorCodes(SEND, { input: { to: '12', body: 'x' } })).toEqual([
      'INVALID_NUMBER',
    ]);
    const keyed = { to: TO, body: 'keyed', idempotencyKey: `k-${randomUUID()}` };
    const original = await send(client, keyed);
    expect((await send(client, keyed)).id).toBe(original.id);
    expect((await send(client, keyed)).id).toBe(original.id);
    await send(client, { to: TO, body: 'second' });
    await send(client, { to: TO, body: 'third' });
    expect(await client.errorCodes(SEND, { input: { to: TO, body: 'fourth' } })).toEqual([
      'RATE_LIMITED',
    ]);
  });
});
