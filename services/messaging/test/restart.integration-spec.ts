// Kill the messaging service (SIGKILL) in the middle of 1,000 sends, restart it, and let a
// fake device answer every dispatch command: every message reaches a final status, no message
// is created twice (clients retry with their idempotency keys) and none reaches a phone twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import { devicesV1, Topics } from '@switchboard/contracts';
import { readHeaders } from '@switchboard/events';
import { freePort, graphqlClient } from '@switchboard/testing';
import { FakeService } from './support/fake-devices';
import { SEND } from './support/messaging-api';
import { eventually, startStack, type MessagingStack } from './support/messaging-app';

const TOTAL = 1000;
const KILL_AFTER = 300;
const CONCURRENCY = 25;
const root = resolve(__dirname, '../../..');

let stack: MessagingStack;
let child: ChildProcess | undefined;
let devices: FakeService;
const org = randomUUID();

async function startService(port: number): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    [join(__dirname, 'support/run-ts.cjs'), join(root, 'services/messaging/src/main.ts')],
    {
      cwd: root,
      env: { ...process.env, ...stack.env, PORT: String(port), LOG_LEVEL: 'error' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  await eventually(
    'messaging service up',
    async () => {
      if (proc.exitCode !== null) throw new Error(`exited: ${stderr}`);
      const response = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
      return response?.ok;
    },
    30_000,
    100,
  );
  return proc;
}

/** The phone side: answers each dispatch command once per message, as a device would. */
async function startFakeDevice() {
  const commands = new Map<string, Set<string>>(); // message id → distinct command event ids
  const phoneSends = new Map<string, number>(); // message id → times the phone sent it
  const kafka = new Kafka({
    clientId: 'fake-phone',
    brokers: stack.broker.brokers,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `fake-phone-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    rebalanceTimeout: 3000,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.devices.dispatch.name, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachMessage: async ({ message }) => {
      const headers = readHeaders(message.headers as Record<string, unknown>);
      const command = fromBinary(devicesV1.DispatchCommandSchema, message.value!);
      if (command.command.case !== 'dispatch') return;
      const id = command.messageId;
      const seen = commands.get(id) ?? new Set<string>();
      seen.add(headers.ce_id);
      commands.set(id, seen);
      if (phoneSends.has(id)) return; // the phone dedupes on the message id
      phoneSends.set(id, 1);
      const attempt = command.command.value.attempt;
      for (const state of [
        devicesV1.MessageState.DISPATCHED,
        devicesV1.MessageState.SENT,
        devicesV1.MessageState.DELIVERED,
      ]) {
        await devices.state(org, id, state, { attempt });
      }
    },
  });
  return { commands, phoneSends, stop: () => consumer.disconnect() };
}

beforeAll(async () => {
  stack = await startStack({
    KAFKA_GROUP_ID: `messaging-restart-${randomUUID().slice(0, 8)}`,
    // Crash safety, not limits: 1,000 sends plus retries must not meet the send rate limit.
    MESSAGE_SEND_RATE_PER_SECOND: '0',
  });
  devices = new FakeService(stack.broker.brokers);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await devices?.stop();
  await stack?.stop();
});

it('survives SIGKILL during 1,000 sends: every message final, none twice', async () => {
  const port = await freePort();
  child = await startService(port);
  const phone = await startFakeDevice();
  const token = await stack.tokens.user(org);
  const client = graphqlClient(`http://127.0.0.1:${port}/graphql`, token);

  const ids = new Map<number, string>(); // request number → message id
  let next = 0;
  let killed = false;
  const sendOne = async (i: number) => {
    const result = await client.request<{ sendMessage: { id: string } }>(SEND, {
      input: { to: '+14155550123', body: `restart ${i}`, idempotencyKey: `restart-${i}` },
    });
    if (result.data?.sendMessage) ids.set(i, result.data.sendMessage.id);
  };
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      await sendOne(i).catch(() => undefined); // the connection dies with the service
      if (!killed && ids.size >= KILL_AFTER) {
        killed = true;
        child!.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  expect(killed).toBe(true);
  const beforeRestart = ids.size;
  expect(beforeRestart).toBeLessThan(TOTAL);
  await new Promise((r) =>
    child!.exitCode !== null || child!.signalCode !== null ? r(undefined) : child!.once('exit', r),
  );

  // Restart; clients retry what they got no answer for, with the same idempotency keys.
  const restartedAt = new Date();
  child = await startService(port);
  const missing = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => !ids.has(i));
  for (let k = 0; k < missing.length; k += CONCURRENCY) {
    await Promise.all(missing.slice(k, k + CONCURRENCY).map(sendOne));
  }
  expect(ids.size).toBe(TOTAL);
  const [{ committed }] = await stack.sql<{ committed: number }>(
    `SELECT count(*)::int AS committed FROM messages WHERE org_id = $1 AND created_at < $2 AND id = ANY($3::uuid[])`,
    [org, restartedAt, missing.map((i) => ids.get(i))],
  );
  console.log(
    `killed after ${beforeRestart} answers; ${missing.length} requests unanswered, ` +
      `${committed} of them committed before the kill (their retries got the first message)`,
  );

  // Every message reaches DELIVERED. A loaded machine may take long: what fails the test is
  // no progress for 30 s (a stuck message), not a slow run.
  let progress = { delivered: -1, at: Date.now() };
  let final: { status: string; n: number }[] = [];
  for (;;) {
    final = await stack.sql<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM messages WHERE org_id = $1 GROUP BY status`,
      [org],
    );
    const delivered = final.find((r) => r.status === 'DELIVERED')?.n ?? 0;
    if (delivered === TOTAL) break;
    if (delivered > progress.delivered) progress = { delivered, at: Date.now() };
    else if (Date.now() - progress.at > 30_000) break; // stuck: the assertion below shows where
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(final).toEqual([{ status: 'DELIVERED', n: TOTAL }]);
  const [{ n }] = await stack.sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM messages WHERE org_id = $1`,
    [org],
  );
  expect(n).toBe(TOTAL); // one message per idempotency key
  expect(new Set(ids.values()).size).toBe(TOTAL);
  for (const id of ids.values()) {
    expect(phone.phoneSends.get(id)).toBe(1);
    expect(phone.commands.get(id)?.size).toBe(1); // one dispatch command, however often relayed
  }
  await phone.stop();
}, 600_000);
