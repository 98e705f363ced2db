// The set-based batch path (issue 17 B1b) against real PostgreSQL and Kafka: the same mixed inputs
// sent by sendBatch (set-based: a constant number of statements a chunk) to one organization and
// one at a time by `send` (the per-input path) to a twin organization give the same outcomes and
// store the same rows, events and timers (ids and times aside). And the fallbacks: a chunk the
// quota does not cover whole, and inputs the set-based path does not decide, get exactly what the
// per-input path gives them.
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { billingV1, complianceV1, devicesV1, Topics } from '@switchboard/contracts';
import { localTime } from '@switchboard/sms';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { ManualClock } from '@switchboard/testing';
import {
  MessagesService,
  type SendMessageCommand,
  type SendOutcome,
} from '../src/messages/messages.service';
import { FakeService } from './support/fake-devices';
import {
  eventually,
  handled,
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

type SuppressionInit = MessageInitShape<typeof complianceV1.SuppressionStateSchema>;
type PolicyInit = MessageInitShape<typeof complianceV1.OrganizationPolicySchema>;
type QuotaInit = MessageInitShape<typeof billingV1.QuotaStateSchema>;

let stack: MessagingStack;
let app: RunningApp;
let compliance: FakeService;
let service: MessagesService;
const clock = new ManualClock();

/** San Francisco numbers (+1 415: America/Los_Angeles). */
const GOOD = '+14155550101';
const OTHER = '+14155550102';
const OPTED_OUT = '+14155550103';
const NO_CONSENT = '+14155550104';
const CONSENTED = '+14155550105';

beforeAll(async () => {
  stack = await startStack({ MESSAGE_SEND_BURST: '100000', MESSAGE_SEND_RATE_PER_SECOND: '10000' });
  app = await startApp(stack, {}, { clock });
  service = app.app.get(MessagesService);
  compliance = new FakeService(stack.broker.brokers, 'compliance');
}, 90_000);

/** 07:50 in San Francisco: ten minutes before the quiet-hours window (08:00-21:00) opens. */
function beforeTheWindowOpens(): void {
  let at = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
  while (localTime('America/Los_Angeles', at).minute !== 470) at = new Date(at.getTime() + 60_000);
  clock.set(at);
}

afterAll(async () => {
  await compliance?.stop();
  await app?.close();
  await stack?.stop();
});

/** An organization with the compliance state of the mixed inputs (opt-out, consent, quiet hours). */
async function organization(): Promise<string> {
  const org = randomUUID();
  const state = (to: string, over: Partial<SuppressionInit>) =>
    compliance.publish(Topics.compliance.suppression, `${org}:${to}`, org, {
      orgId: org,
      phoneNumber: { e164: to },
      optOutSource: complianceV1.ConsentSource.INBOUND_KEYWORD,
      updatedAt: timestampFromDate(new Date()),
      version: 1n,
      ...over,
    } as SuppressionInit);
  await handled(stack, [
    await compliance.publish(Topics.compliance.policy, org, org, {
      orgId: org,
      version: 1n,
      consentRequiredForCampaigns: true,
      quietHours: {
        enabled: true,
        windowStartMinute: 480,
        windowEndMinute: 1260,
        transactionalAction: complianceV1.QuietHoursAction.SEND,
      },
      retention: { bodyRetentionDays: 7, metadataRetentionMonths: 24, auditRetentionDays: 90 },
      updatedAt: timestampFromDate(new Date()),
    } as PolicyInit),
    await state(OPTED_OUT, { optedOut: true }),
    await state(CONSENTED, { consent: true }),
  ]);
  return org;
}

/** The mixed inputs of one call; `earlier` is a key an earlier call sent with the same request. */
function mixedInputs(): SendMessageCommand[] {
  const at = clock.now().getTime();
  const campaignId = '6f1c1a52-8a3e-4d1e-9f0a-2d6a3c1b7e10';
  return [
    { to: GOOD, body: 'good', idempotencyKey: 'k-good', metadata: { ref: '1' } },
    { to: 'not a number', body: 'invalid number', idempotencyKey: 'k-invalid' },
    { to: OPTED_OUT, body: 'opted out', idempotencyKey: 'k-opted-out' },
    {
      to: NO_CONSENT,
      body: 'campaign, no consent',
      idempotencyKey: 'k-no-consent',
      purpose: 'CAMPAIGN',
      campaignId,
    },
    {
      to: CONSENTED,
      body: 'campaign at night: held',
      idempotencyKey: 'k-held',
      purpose: 'CAMPAIGN',
      campaignId,
    },
    { to: GOOD, body: 'good', idempotencyKey: 'k-good', metadata: { ref: '1' } }, // twice
    { to: GOOD, body: 'other body', idempotencyKey: 'k-good' }, // reused with other parameters
    { to: OTHER, body: 'sent before', idempotencyKey: 'k-earlier' }, // replay of an earlier call
    {
      to: OTHER,
      body: 'scheduled',
      idempotencyKey: 'k-scheduled',
      scheduledAt: new Date(at + 2 * 3_600_000),
    },
    { to: OTHER, body: 'no key, long enough for two segments '.repeat(6) },
    { to: GOOD, body: '', idempotencyKey: 'k-empty' }, // BODY_REQUIRED
    { to: GOOD, body: 'bad key', idempotencyKey: 'bad key with spaces\u0001' },
  ];
}

/** The per-input path: `send` one input after the other, in sendBatch's order (by key). */
async function sendEach(org: string, commands: SendMessageCommand[]): Promise<SendOutcome[]> {
  const outcomes: SendOutcome[] = new Array(commands.length);
  const order = commands
    .map((c, i) => ({ key: c.idempotencyKey ?? '', i }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  for (const { i } of order) {
    try {
      outcomes[i] = { ok: true, message: await service.send(org, commands[i]) };
    } catch (error) {
      outcomes[i] = { ok: false, error: error as never };
    }
  }
  return outcomes;
}

/** An outcome without ids and times: the error's code, or the message (replays by whose id). */
function comparable(outcomes: SendOutcome[]) {
  const firstIndexOf = new Map<string, number>();
  return outcomes.map((outcome, index) => {
    if (!outcome.ok) return { error: outcome.error.code };
    const m = outcome.message;
    if (!firstIndexOf.has(m.id)) firstIndexOf.set(m.id, index);
    return {
      sameAs: firstIndexOf.get(m.id),
      status: m.status,
      to: m.toNumber,
      body: m.body,
      segments: m.segments,
      encoding: m.encoding,
      route: m.route,
      attempt: m.attempt,
      purpose: m.purpose,
      priority: m.priority,
      campaignId: m.campaignId,
      idempotencyKey: m.idempotencyKey,
      metadata: m.metadata,
      error: m.error?.code ?? null,
      scheduledAt: m.scheduledAt?.toISOString() ?? null,
      // Counted from when it goes (the two organizations' sends are a few ms apart).
      validFor: m.validUntil
        ? m.validUntil.getTime() - (m.scheduledAt ?? m.createdAt).getTime()
        : null,
      eventSequence: m.eventSequence,
    };
  });
}

/** What the organization has stored: messages, their events and commands, their timers. */
async function stored(org: string) {
  const messages = await stack.sql<Record<string, unknown>>(
    `SELECT id, status, direction, to_number, body, segments, encoding, route, attempt, purpose,
            priority, campaign_id, idempotency_key, metadata, error_code, scheduled_at,
            valid_until, created_at, event_sequence, requested_device_id, conversation_id
       FROM messages WHERE org_id = $1 ORDER BY idempotency_key NULLS FIRST, body`,
    [org],
  );
  const rows = [];
  for (const {
    id,
    conversation_id: conversation,
    created_at: createdAt,
    valid_until: validUntil,
    ...message
  } of messages) {
    // Times counted from when the message was created or goes (the sends are ms apart).
    const since = ((message.scheduled_at ?? createdAt) as Date).getTime();
    const after = (at: unknown) => (at ? (at as Date).getTime() - since : null);
    const events = await stack.sql<{ topic: string; event_type: string }>(
      `SELECT topic, event_type FROM outbox WHERE record_key = $1 ORDER BY id`,
      [id],
    );
    const timers = await stack.sql<{ kind: string; due_at: Date }>(
      `SELECT kind, due_at FROM scheduled_jobs WHERE message_id = $1 ORDER BY kind`,
      [id],
    );
    rows.push({
      ...message,
      validFor: after(validUntil),
      conversation: conversation ? 'threaded' : null,
      events,
      timers: timers.map((t) => ({ kind: t.kind, dueIn: after(t.due_at) })),
    });
  }
  const keys = await stack.sql<{ key: string; fingerprint: string }>(
    `SELECT key, fingerprint FROM idempotency_keys WHERE org_id = $1 ORDER BY key`,
    [org],
  );
  return { messages: rows, keys };
}

describe('sendBatch, set-based', () => {
  it('gives the same outcomes and stores the same rows, events and timers as input by input', async () => {
    const [batchOrg, eachOrg] = [await organization(), await organization()];
    beforeTheWindowOpens();
    const earlier: SendMessageCommand = {
      to: OTHER,
      body: 'sent before',
      idempotencyKey: 'k-earlier',
    };
    await service.send(batchOrg, earlier);
    await service.send(eachOrg, earlier);

    const inputs = mixedInputs();
    // Set-based: no savepoint (no input went the per-input way), one INSERT of the messages.
    const statements: string[] = [];
    const original = PostgresQueryRunner.prototype.query;
    const spy = jest.spyOn(PostgresQueryRunner.prototype, 'query').mockImplementation(function (
      this: PostgresQueryRunner,
      ...args
    ) {
      statements.push(String(args[0]));
      return original.apply(this, args);
    });
    const batch = await service.sendBatch(batchOrg, inputs).finally(() => spy.mockRestore());
    expect(statements.filter((q) => /SAVEPOINT/.test(q))).toEqual([]);
    expect(statements.filter((q) => /\bINSERT INTO messages\b/.test(q))).toHaveLength(1);
    const each = await sendEach(eachOrg, inputs);

    expect(comparable(batch)).toEqual(comparable(each));
    // The mix is what it says it is.
    expect(
      comparable(batch).map((o) => ('error' in o && !('status' in o) ? o.error : o.status)),
    ).toEqual([
      'QUEUED',
      'INVALID_NUMBER',
      'REJECTED',
      'REJECTED',
      'SCHEDULED',
      'QUEUED',
      'IDEMPOTENCY_KEY_REUSED',
      'QUEUED',
      'SCHEDULED',
      'QUEUED',
      'BODY_REQUIRED',
      'INVALID_IDEMPOTENCY_KEY',
    ]);
    const ok = (o: SendOutcome) => (o.ok ? o.message : undefined);
    expect(ok(batch[5])?.id).toBe(ok(batch[0])?.id);
    expect(ok(batch[2])?.error?.code).toBe('OPTED_OUT');
    expect(ok(batch[3])?.error?.code).toBe('NO_CONSENT');
    const [fromBatch, fromEach] = [await stored(batchOrg), await stored(eachOrg)];
    expect(fromBatch).toEqual(fromEach);
    expect(fromBatch.messages).toHaveLength(7); // the earlier one and six new
  });

  it('concurrent set-based batches and single sends with overlapping keys: one message per key', async () => {
    const org = await organization();
    const inputs: SendMessageCommand[] = Array.from({ length: 40 }, (_, i) => ({
      to: GOOD,
      body: `concurrent ${i}`,
      idempotencyKey: `c-${String(i).padStart(2, '0')}`,
    }));
    const [first, second, ...singles] = await Promise.all([
      service.sendBatch(org, inputs),
      service.sendBatch(org, [...inputs].reverse()),
      ...inputs.slice(0, 10).map((input) => service.send(org, input)),
    ]);
    const idOf = new Map<string, string>();
    const seen = (key: string, id: string) => {
      expect(idOf.get(key) ?? id).toBe(id);
      idOf.set(key, id);
    };
    for (const outcome of [...first, ...second]) {
      if (!outcome.ok) throw outcome.error;
      seen(outcome.message.idempotencyKey!, outcome.message.id);
    }
    for (const message of singles) seen(message.idempotencyKey!, message.id);
    expect(idOf.size).toBe(40);
    const [{ n }] = await stack.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE org_id = $1`,
      [org],
    );
    expect(n).toBe(40);
  });

  it('a chunk its quota does not cover whole goes input by input: the first get through, the rest are refused', async () => {
    const [batchOrg, eachOrg] = [await organization(), await organization()];
    const billing = new FakeService(stack.broker.brokers, 'billing');
    const usd = (amountMinor: bigint) => ({ currencyCode: 'USD', amountMinor });
    try {
      const published = [];
      for (const org of [batchOrg, eachOrg]) {
        published.push(
          await billing.publish(Topics.billing.quota, org, org, {
            orgId: org,
            planId: 'free',
            remainingIncludedSegments: 3n,
            walletAvailable: usd(0n),
            maxSegmentPrice: usd(2n),
            overageAllowed: false,
            blocked: false,
            updatedAt: timestampFromDate(new Date()),
            version: 1n,
          } as QuotaInit),
        );
      }
      await handled(stack, published);
    } finally {
      await billing.stop();
    }
    const inputs = (): SendMessageCommand[] =>
      Array.from({ length: 5 }, (_, i) => ({
        to: GOOD,
        body: `quota ${i}`,
        idempotencyKey: `quota-${i}`,
      }));
    const batch = await service.sendBatch(batchOrg, inputs());
    expect(comparable(batch)).toEqual(comparable(await sendEach(eachOrg, inputs())));
    expect(
      batch.map((o) => (o.ok ? (o.message.error?.code ?? o.message.status) : 'error')),
    ).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'QUOTA_EXCEEDED', 'QUOTA_EXCEEDED']);
    expect(await stored(batchOrg)).toEqual(await stored(eachOrg));
  });

  it('inputs the set-based path does not decide (a device, a sender number) go input by input in the same chunk', async () => {
    const [batchOrg, eachOrg] = [await organization(), await organization()];
    const devices = new FakeService(stack.broker.brokers, 'devices');
    try {
      for (const org of [batchOrg, eachOrg]) {
        await devices.device(org, `device-${org}`, {
          case: 'registered',
          value: {
            status: devicesV1.DeviceStatus.ONLINE,
            device: { name: 'p', sims: [{ slot: 1 }] },
          },
        });
      }
      await eventually(
        'device projections',
        async () =>
          (
            await stack.sql<{ n: number }>(
              `SELECT count(*)::int AS n FROM devices WHERE org_id = ANY($1::uuid[])`,
              [[batchOrg, eachOrg]],
            )
          )[0].n === 2,
        45_000,
      );
    } finally {
      await devices.stop();
    }
    const inputs = (org: string): SendMessageCommand[] => [
      { to: GOOD, body: 'plain', idempotencyKey: 'f-1' },
      { to: GOOD, body: 'by device', idempotencyKey: 'f-2', deviceId: `device-${org}` },
      { to: GOOD, body: 'from', idempotencyKey: 'f-3', from: '+14155550999' }, // no SIM has it
      { to: GOOD, body: 'unknown device', idempotencyKey: 'f-4', deviceId: 'nope' },
      { to: GOOD, body: 'plain', idempotencyKey: 'f-1' },
    ];
    const batch = await service.sendBatch(batchOrg, inputs(batchOrg));
    const each = await sendEach(eachOrg, inputs(eachOrg));
    expect(comparable(batch)).toEqual(comparable(each));
    expect(batch.map((o) => (o.ok ? o.message.status : o.error.code))).toEqual([
      'QUEUED',
      'QUEUED',
      'UNKNOWN_SENDER',
      'UNKNOWN_DEVICE',
      'QUEUED',
    ]);
    const withoutDevice = (s: Awaited<ReturnType<typeof stored>>) =>
      s.messages.map((message) => {
        const { requested_device_id: d, ...m } = message as Record<string, unknown>;
        return { ...m, device: d ? 'set' : null };
      });
    expect(withoutDevice(await stored(batchOrg))).toEqual(withoutDevice(await stored(eachOrg)));
  });
});
