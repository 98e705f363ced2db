import type { DataSource, EntityManager } from 'typeorm';
import type { DescMessage } from '@bufbuild/protobuf';
import type { EventDraft, OutboxWriter } from '@switchboard/events';
import { ManualClock } from '@switchboard/testing';
import { rateLimited } from '@switchboard/rate-limit';
import { MessagingErrorCode } from '../common/messaging.exception';
import type { MessagingConfig } from '../config';
import type { ConversationThreading } from '../conversations/conversation-threading';
import type { StoredIdempotencyKey } from '../domain/idempotency';
import { BodyPolicy } from '../pre-send/body.policy';
import { NumberPolicy } from '../pre-send/number.policy';
import { OrganizationStatusPolicy } from '../pre-send/organization-status.policy';
import { ComplianceFacts } from '../pre-send/compliance-facts';
import { ConsentPolicy } from '../pre-send/consent.policy';
import { DndPolicy } from '../pre-send/dnd.policy';
import { OptedOutPolicy } from '../pre-send/opted-out.policy';
import { QuietHoursPolicy } from '../pre-send/quiet-hours.policy';
import type { ComplianceProjectionsRepository } from '../projections/compliance-projections.repository';
import type {
  DeviceProjection,
  OrganizationPolicyProjection,
  OrganizationProjection,
  SuppressionProjection,
} from '../projections/projection.record';
import type { ProjectionsRepository } from '../projections/projections.repository';
import type { JobKind, JobsRepository } from '../scheduler/jobs.repository';
import type { IdempotencyRepository } from './idempotency.repository';
import { MessageLifecycle } from './message-lifecycle';
import type { MessagePatch, MessageRecord } from './message.record';
import type { MessagesRepository } from './messages.repository';
import { MessagesService, SEND_BATCH_CHUNK, type SendOutcome } from './messages.service';
import type { SendRateLimitService } from './send-rate-limit.service';
import type { RoutesRepository } from '../routing/routes.repository';
import { RoutingService } from '../routing/routing.service';

const ORG = '00000000-0000-4000-8000-000000000001';
const TO = '+14155550123';
const HOUR = 3_600_000;

const config = {
  DEFAULT_COUNTRY: 'US',
  MESSAGE_MAX_SEGMENTS: 10,
  MESSAGE_DEFAULT_VALIDITY_SECONDS: 86_400,
  MESSAGE_MAX_SCHEDULE_DAYS: 365,
  IDEMPOTENCY_KEY_TTL_HOURS: 24,
} as MessagingConfig;

/** The database in memory: what the repositories the send path uses read and write. */
class FakeDatabase {
  messages = new Map<string, MessageRecord>();
  keys = new Map<string, StoredIdempotencyKey>();
  jobs: { messageId: string; kind: JobKind; dueAt: Date }[] = [];
  outbox: EventDraft<DescMessage>[] = [];
  organization: OrganizationProjection | undefined = {
    orgId: ORG,
    slug: 'acme',
    name: 'Acme',
    timezone: null,
    status: 'ACTIVE',
    defaultCountry: 'US',
  };
  devices = new Map<string, DeviceProjection>();
  transactions = 0;

  readonly tx = { query: () => Promise.resolve([]) } as unknown as EntityManager;

  readonly dataSource = {
    transaction: async <T>(work: (tx: EntityManager) => Promise<T>): Promise<T> => {
      this.transactions += 1;
      // All or nothing, like PostgreSQL: a failed transaction leaves no rows behind.
      const before = this.snapshot();
      try {
        // A transaction of its own, as TypeORM gives each (per-transaction caches see that).
        return await work({ ...this.tx } as EntityManager);
      } catch (error) {
        this.restore(before);
        throw error;
      }
    },
  } as unknown as DataSource;

  // Statements are applied as they are built (the lifecycle runs them together right away; a
  // failed transaction or savepoint restores the snapshot).
  readonly messagesRepository = {
    insertStatements: (rows: (MessagePatch & { id: string })[]) => {
      for (const row of rows) {
        this.messages.set(row.id, { ...(row as MessageRecord), createdMicros: '0' });
      }
      return [{ text: 'INSERT INTO messages', values: [] }];
    },
    findById: (_tx: EntityManager, id: string) => Promise.resolve(this.messages.get(id)),
    update: (_tx: EntityManager, id: string, patch: MessagePatch) => {
      this.messages.set(id, { ...this.messages.get(id)!, ...patch });
      return Promise.resolve();
    },
    // Like a savepoint: a failed item leaves no rows behind, the transaction goes on.
    inSavepoint: async <T>(_tx: EntityManager, work: () => Promise<T>): Promise<T> => {
      const before = this.snapshot();
      try {
        return await work();
      } catch (error) {
        this.restore(before);
        throw error;
      }
    },
  } as unknown as MessagesRepository;

  readonly idempotencyRepository = {
    sweepExpired: () => Promise.resolve(),
    claim: (_tx: EntityManager, claim: { key: string; fingerprint: string; messageId: string }) => {
      const holder = this.keys.get(claim.key);
      if (holder) return Promise.resolve({ claimed: false as const, holder });
      this.keys.set(claim.key, { fingerprint: claim.fingerprint, messageId: claim.messageId });
      return Promise.resolve({ claimed: true as const });
    },
  } as unknown as IdempotencyRepository;

  readonly projections = {
    findOrganization: () => Promise.resolve(this.organization),
    findSendFacts: () => Promise.resolve({ organization: this.organization, hasRoutes: false }),
    findDevice: (_tx: EntityManager, id: string) => Promise.resolve(this.devices.get(id)),
    findSimsByNumber: () =>
      Promise.resolve(
        [...this.devices.values()].flatMap((d) =>
          d.sims.map((s) => ({ deviceId: d.deviceId, slot: s.slot, status: d.status })),
        ),
      ),
  } as unknown as ProjectionsRepository;

  readonly jobsRepository = {
    schedule: (_tx: EntityManager, job: { messageId: string; kind: JobKind; dueAt: Date }) => {
      this.jobs.push({ messageId: job.messageId, kind: job.kind, dueAt: job.dueAt });
      return Promise.resolve();
    },
    scheduleAllStatement: (jobs: { messageId: string; kind: JobKind; dueAt: Date }[]) => {
      for (const job of jobs) {
        this.jobs.push({ messageId: job.messageId, kind: job.kind, dueAt: job.dueAt });
      }
      return jobs.length ? { text: 'INSERT INTO scheduled_jobs', values: [] } : undefined;
    },
    cancel: () => Promise.resolve(),
  } as unknown as JobsRepository;

  readonly outboxWriter = {
    add: (_tx: EntityManager, draft: EventDraft<DescMessage>) => {
      this.outbox.push(draft);
      return Promise.resolve();
    },
    addAll: (_tx: EntityManager, drafts: EventDraft<DescMessage>[]) => {
      this.outbox.push(...drafts);
      return Promise.resolve();
    },
    statement: (drafts: EventDraft<DescMessage>[]) => {
      this.outbox.push(...drafts);
      return drafts.length ? { text: 'INSERT INTO outbox', values: [] } : undefined;
    },
  } as unknown as OutboxWriter;

  dispatches(id: string) {
    return this.outbox.filter(
      (d) =>
        d.key === id && (d.event as { command?: { case: string } }).command?.case === 'dispatch',
    );
  }

  eventKinds(id: string): number[] {
    return this.outbox
      .filter((d) => d.key === id && (d.event as { kind?: number }).kind !== undefined)
      .map((d) => (d.event as { kind: number }).kind);
  }

  private snapshot() {
    return {
      messages: new Map(this.messages),
      keys: new Map(this.keys),
      jobs: [...this.jobs],
      outbox: [...this.outbox],
    };
  }

  private restore(s: ReturnType<FakeDatabase['snapshot']>) {
    Object.assign(this, s);
  }
}

function newTestService(compliance?: FakeCompliance) {
  const db = new FakeDatabase();
  const clock = new ManualClock();
  clock.set(new Date('2030-01-01T12:00:00Z'));
  const rateLimit = { take: jest.fn(() => Promise.resolve()) };
  const threading = { threadFor: jest.fn(() => Promise.resolve(undefined)) };
  const lifecycle = new MessageLifecycle(
    db.outboxWriter,
    db.messagesRepository,
    db.jobsRepository,
    clock,
  );
  const service = new MessagesService(
    db.dataSource,
    config,
    [
      new NumberPolicy(),
      new BodyPolicy(config),
      new OrganizationStatusPolicy(),
      ...(compliance ? compliance.policies() : []),
    ],
    db.messagesRepository,
    db.idempotencyRepository,
    db.projections,
    lifecycle,
    threading as unknown as ConversationThreading,
    rateLimit as unknown as SendRateLimitService,
    clock,
    // The real router over an organization without routes: the implicit device pool.
    new RoutingService(
      db.dataSource,
      config,
      {
        list: () => Promise.resolve([]),
        insertAttempt: () => Promise.resolve(),
        preferenceOf: () => Promise.resolve(undefined),
      } as unknown as RoutesRepository,
      db.messagesRepository,
      lifecycle,
      db.jobsRepository,
      db.outboxWriter,
      clock,
    ),
  );
  return { service, db, clock, rateLimit, threading };
}

/** compliance's projections in memory, and the compliance policies reading them. */
class FakeCompliance {
  states = new Map<string, SuppressionProjection>();
  policy: OrganizationPolicyProjection | undefined;

  optOut(number: string, optedOut = true) {
    this.states.set(number, {
      phoneNumber: number,
      optedOut,
      optedOutChangedAt: null,
      optOutSource: 'INBOUND_KEYWORD',
      consent: false,
      consentChangedAt: null,
      dnd: false,
      version: 1n,
      updatedAt: null,
    });
  }

  policies() {
    const repository = {
      findSuppression: (_tx: EntityManager, _org: string, number: string) =>
        Promise.resolve(this.states.get(number)),
      findPolicy: () => Promise.resolve(this.policy),
    } as unknown as ComplianceProjectionsRepository;
    const facts = new ComplianceFacts(repository);
    return [
      new OptedOutPolicy(facts),
      new DndPolicy(facts),
      new ConsentPolicy(facts),
      new QuietHoursPolicy(facts),
    ];
  }
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'no error',
    (error: { code?: string }) => error.code,
  );

describe('MessagesService.send', () => {
  it('stores a message QUEUED with its dispatch command, queued event and expiry timer', async () => {
    const { service, db } = newTestService();

    const message = await service.send(ORG, { to: '(415) 555-0123', body: 'Hello' });
    const now = message.createdAt; // the injected clock's time of the send

    expect(message).toMatchObject({
      status: 'QUEUED',
      direction: 'OUTBOUND',
      toNumber: TO,
      attempt: 1,
      route: 'DEVICE',
      encoding: 'GSM7',
      segments: 1,
      queuedAt: now,
      validUntil: new Date(now.getTime() + 24 * HOUR),
      eventSequence: 1,
    });
    expect(db.messages.get(message.id)).toMatchObject({ status: 'QUEUED', toNumber: TO });
    expect(db.dispatches(message.id)).toHaveLength(1);
    expect(db.eventKinds(message.id)).toHaveLength(1);
    expect(db.jobs).toEqual([
      { messageId: message.id, kind: 'expire', dueAt: new Date(now.getTime() + 24 * HOUR) },
    ]);
  });

  it('replays an idempotent request: the same message, no second row or dispatch', async () => {
    const { service, db } = newTestService();
    const request = { to: TO, body: 'Once', idempotencyKey: 'order-42' };

    const first = await service.send(ORG, request);
    // The same request written another way (national format) is the same request.
    const again = await service.send(ORG, { ...request, to: '415-555-0123' });

    expect(again.id).toBe(first.id);
    expect(db.messages.size).toBe(1);
    expect(db.dispatches(first.id)).toHaveLength(1);
    expect(await codeOf(service.send(ORG, { ...request, body: 'Twice' }))).toBe(
      MessagingErrorCode.IDEMPOTENCY_KEY_REUSED,
    );
    expect(db.messages.size).toBe(1);
  });

  it('stores a message a policy refuses REJECTED, with its code, and never dispatches it', async () => {
    const { service, db, threading } = newTestService();
    db.organization = { ...db.organization!, status: 'SUSPENDED' };

    const message = await service.send(ORG, { to: TO, body: 'Blocked' });

    expect(message).toMatchObject({
      status: 'REJECTED',
      attempt: 0,
      error: { code: 'ORGANIZATION_SUSPENDED', message: 'The organization is suspended' },
    });
    expect(db.dispatches(message.id)).toHaveLength(0);
    expect(db.eventKinds(message.id)).toHaveLength(1);
    expect(db.jobs).toEqual([]);
    expect(threading.threadFor).not.toHaveBeenCalled();
  });

  it('holds a scheduled message SCHEDULED with a dispatch timer and an expiry after it', async () => {
    const { service, db, clock } = newTestService();
    const scheduledAt = new Date(clock.now().getTime() + 2 * HOUR);

    const message = await service.send(ORG, { to: TO, body: 'Later', scheduledAt });

    expect(message).toMatchObject({ status: 'SCHEDULED', attempt: 0, scheduledAt });
    expect(db.dispatches(message.id)).toHaveLength(0);
    expect(db.eventKinds(message.id)).toHaveLength(2); // queued, scheduled
    expect(db.jobs).toEqual([
      { messageId: message.id, kind: 'dispatch', dueAt: scheduledAt },
      {
        messageId: message.id,
        kind: 'expire',
        dueAt: new Date(scheduledAt.getTime() + 24 * HOUR),
      },
    ]);
  });

  it('sends at once when scheduledAt is within a second of now', async () => {
    const { service, clock } = newTestService();
    const scheduledAt = new Date(clock.now().getTime() + 500);
    const message = await service.send(ORG, { to: TO, body: 'Now', scheduledAt });
    expect(message).toMatchObject({ status: 'QUEUED', scheduledAt: null, attempt: 1 });
  });

  it('refuses an invalid number and stores nothing: the idempotency key stays free', async () => {
    const { service, db } = newTestService();

    expect(await codeOf(service.send(ORG, { to: '12', body: 'Hi', idempotencyKey: 'k-1' }))).toBe(
      MessagingErrorCode.INVALID_NUMBER,
    );
    expect(db.messages.size).toBe(0);
    expect(db.outbox).toEqual([]);

    const corrected = await service.send(ORG, { to: TO, body: 'Hi', idempotencyKey: 'k-1' });
    expect(corrected.status).toBe('QUEUED');
  });

  it.each([
    ['an invalid idempotency key', { idempotencyKey: 'with space' }, 'INVALID_IDEMPOTENCY_KEY'],
    ['validUntil in the past', { validUntil: new Date('2000-01-01') }, 'INVALID_VALIDITY'],
    ['scheduledAt too far ahead', { scheduledAt: new Date('2040-01-01') }, 'INVALID_SCHEDULE'],
    ['a SIM slot out of range', { simNumber: 9 }, 'INVALID_SIM'],
    ['an unknown device', { deviceId: 'nope' }, 'UNKNOWN_DEVICE'],
    ['an unknown sender', { from: '+14155550999' }, 'UNKNOWN_SENDER'],
  ])('refuses %s with its code', async (_what, extra, code) => {
    const { service, db } = newTestService();
    expect(await codeOf(service.send(ORG, { to: TO, body: 'Hi', ...extra }))).toBe(code);
    expect(db.messages.size).toBe(0);
  });

  it('asks the pool for the device and SIM of `from`', async () => {
    const { service, db } = newTestService();
    db.devices.set('phone-1', {
      deviceId: 'phone-1',
      name: 'phone',
      status: 'ONLINE',
      removed: false,
      sims: [{ slot: 2, operator: '', maskedNumber: '+1******0999' }],
    });
    const message = await service.send(ORG, { to: TO, body: 'Hi', from: '+14155550999' });
    expect(message).toMatchObject({ requestedDeviceId: 'phone-1', requestedSimNumber: 2 });
  });

  it('counts a new message against the organization’s rate limit, last in its transaction', async () => {
    const { service, db, rateLimit } = newTestService();
    rateLimit.take.mockRejectedValueOnce(
      Object.assign(new Error('slow down'), { code: 'RATE_LIMITED' }),
    );

    // Refused: the transaction rolls back, nothing stored, nothing dispatched.
    expect(await codeOf(service.send(ORG, { to: TO, body: 'Hi', idempotencyKey: 'k' }))).toBe(
      'RATE_LIMITED',
    );
    expect(rateLimit.take).toHaveBeenCalledWith(ORG, db.tx);
    expect(db.messages.size).toBe(0);
    expect(db.outbox).toEqual([]);

    // The key stayed free; its replay and an invalid request are not counted.
    const first = await service.send(ORG, { to: TO, body: 'Hi', idempotencyKey: 'k' });
    await service.send(ORG, { to: TO, body: 'Hi', idempotencyKey: 'k' });
    await codeOf(service.send(ORG, { to: '12', body: 'Hi' }));
    expect(first.status).toBe('QUEUED');
    expect(rateLimit.take).toHaveBeenCalledTimes(2);
  });
});

describe('MessagesService.send: compliance and the command path', () => {
  // 2030-01-01T12:00Z (the test clock) is 04:00 in San Francisco (+1 415): quiet hours.
  const NIGHT = new Date('2030-01-01T12:00:00Z');
  const SF_OPENS = new Date('2030-01-01T16:00:00Z'); // 08:00 PST
  const DAY = new Date('2030-01-01T20:00:00Z'); // 12:00 PST

  function service(at = DAY) {
    const compliance = new FakeCompliance();
    const test = newTestService(compliance);
    test.clock.set(at);
    return { ...test, compliance };
  }

  it('refuses every purpose but COMPLIANCE_REPLY to a number that opted out', async () => {
    const { service: s, compliance, db } = service();
    compliance.optOut(TO);
    for (const purpose of ['TRANSACTIONAL', 'CAMPAIGN'] as const) {
      const message = await s.send(ORG, { to: TO, body: 'Hi', purpose });
      expect(message).toMatchObject({
        status: 'REJECTED',
        purpose,
        error: { code: 'OPTED_OUT', message: 'The recipient opted out of messages' },
      });
      expect(db.dispatches(message.id)).toHaveLength(0);
    }
    const reply = await s.send(ORG, {
      to: TO,
      body: 'You are unsubscribed',
      purpose: 'COMPLIANCE_REPLY',
    });
    expect(reply).toMatchObject({ status: 'QUEUED', purpose: 'COMPLIANCE_REPLY' });
  });

  it('holds a campaign message at night: SCHEDULED for the window opening, validity counted from it', async () => {
    const { service: s, db } = service(NIGHT);
    const message = await s.send(ORG, { to: TO, body: 'Sale!', purpose: 'CAMPAIGN' });
    expect(message).toMatchObject({ status: 'SCHEDULED', scheduledAt: SF_OPENS, attempt: 0 });
    expect(db.jobs).toEqual([
      { messageId: message.id, kind: 'dispatch', dueAt: SF_OPENS },
      { messageId: message.id, kind: 'expire', dueAt: new Date(SF_OPENS.getTime() + 24 * HOUR) },
    ]);
  });

  it('a transactional message at night follows the organization: SEND by default, REFUSE, HOLD', async () => {
    const { service: s, compliance } = service(NIGHT);
    expect((await s.send(ORG, { to: TO, body: 'Code 1' })).status).toBe('QUEUED');
    const policy = (transactionalAction: 'REFUSE' | 'HOLD'): OrganizationPolicyProjection => ({
      quietHoursEnabled: true,
      windowStartMinute: 480,
      windowEndMinute: 1260,
      transactionalAction,
      applyStateRules: false,
      consentRequiredForCampaigns: false,
      version: 1n,
      updatedAt: null,
    });
    compliance.policy = policy('REFUSE');
    expect(await s.send(ORG, { to: TO, body: 'Code 2' })).toMatchObject({
      status: 'REJECTED',
      error: { code: 'QUIET_HOURS' },
    });
    compliance.policy = policy('HOLD');
    expect(await s.send(ORG, { to: TO, body: 'Code 3' })).toMatchObject({
      status: 'SCHEDULED',
      scheduledAt: SF_OPENS,
    });
  });

  it('re-checks a held message when its time comes: opted out meanwhile → REJECTED OPTED_OUT', async () => {
    const { service: s, compliance, db, clock } = service(NIGHT);
    const held = await s.send(ORG, { to: TO, body: 'Sale!', purpose: 'CAMPAIGN' });
    const other = await s.send(ORG, { to: '+14155550199', body: 'Sale!', purpose: 'CAMPAIGN' });
    compliance.optOut(TO);
    clock.set(SF_OPENS);
    await s.dispatchScheduled(db.tx, held.id);
    await s.dispatchScheduled(db.tx, other.id);
    expect(db.messages.get(held.id)).toMatchObject({
      status: 'REJECTED',
      error: { code: 'OPTED_OUT' },
    });
    expect(db.dispatches(held.id)).toHaveLength(0);
    expect(db.messages.get(other.id)).toMatchObject({ status: 'SCHEDULED', attempt: 1 });
    expect(db.dispatches(other.id)).toHaveLength(1);
  });

  it('a scheduled message whose time falls in quiet hours is held again at dispatch', async () => {
    const { service: s, db, clock } = service(DAY);
    const at = new Date(DAY.getTime() + 2 * HOUR); // 14:00 PST: fine when sent
    const message = await s.send(ORG, {
      to: TO,
      body: 'Later',
      purpose: 'CAMPAIGN',
      scheduledAt: at,
    });
    expect(message.status).toBe('SCHEDULED');
    clock.set(new Date('2030-01-02T07:00:00Z')); // 23:00 PST: the scheduler ran late
    await s.dispatchScheduled(db.tx, message.id);
    const nextMorning = new Date('2030-01-02T16:00:00Z');
    expect(db.messages.get(message.id)).toMatchObject({
      status: 'SCHEDULED',
      scheduledAt: nextMorning,
      attempt: 0,
    });
    expect(db.jobs).toContainEqual({ messageId: message.id, kind: 'dispatch', dueAt: nextMorning });
  });

  it('the command path stores an invalid request REJECTED with its code, once per key', async () => {
    const { service: s, db } = service();
    const command = { to: '12', body: 'Hi', idempotencyKey: 'cmd-1' };
    const first = await s.send(ORG, command, { onInvalid: 'reject' });
    expect(first).toMatchObject({
      status: 'REJECTED',
      toNumber: '12',
      idempotencyKey: 'cmd-1',
      error: { code: 'INVALID_NUMBER' },
    });
    const again = await s.send(ORG, command, { onInvalid: 'reject' });
    expect(again.id).toBe(first.id);
    expect(db.messages.size).toBe(1);
    expect(db.eventKinds(first.id)).toHaveLength(1);
    const empty = await s.send(ORG, { to: TO, body: ' ' }, { onInvalid: 'reject' });
    expect(empty.error?.code).toBe('BODY_REQUIRED');
    // The GraphQL path keeps its typed error.
    expect(await codeOf(s.send(ORG, { to: '12', body: 'Hi' }))).toBe('INVALID_NUMBER');
  });

  it('a reply goes to the inbound sender over its device and SIM', async () => {
    const { service: s, db } = service();
    const inboundId = '00000000-0000-4000-8000-0000000000b1';
    db.messages.set(inboundId, {
      ...(await s.send(ORG, { to: '+14155550177', body: 'x' })),
      id: inboundId,
      direction: 'INBOUND',
      status: 'RECEIVED',
      fromNumber: '+14155550177',
      deviceId: 'phone-7',
      simNumber: 2,
    });
    db.devices.set('phone-7', {
      deviceId: 'phone-7',
      name: 'p',
      status: 'ONLINE',
      removed: false,
      sims: [{ slot: 2, operator: '', maskedNumber: '' }],
    });
    const reply = await s.send(ORG, {
      to: '',
      body: 'Thanks',
      replyToMessageId: inboundId,
      purpose: 'COMPLIANCE_REPLY',
    });
    expect(reply).toMatchObject({
      status: 'QUEUED',
      toNumber: '+14155550177',
      requestedDeviceId: 'phone-7',
      requestedSimNumber: 2,
    });
    expect(await codeOf(s.send(ORG, { to: TO, body: 'x', replyToMessageId: reply.id }))).toBe(
      'UNKNOWN_REPLY_TO',
    );
  });
});

describe('MessagesService.sendBatch', () => {
  const codes = (outcomes: SendOutcome[]) =>
    outcomes.map((o) => (o.ok ? o.message.status : o.error.code));

  it('gives each input its own outcome, in order; a bad input fails only itself', async () => {
    const { service, db } = newTestService();
    const outcomes = await service.sendBatch(ORG, [
      { to: TO, body: 'one' },
      { to: '12345', body: 'bad number' },
      { to: TO, body: '' },
      { to: TO, body: 'two', idempotencyKey: 'has spaces' },
      { to: '+14155550124', body: 'three' },
    ]);
    expect(codes(outcomes)).toEqual([
      'QUEUED',
      'INVALID_NUMBER',
      'BODY_REQUIRED',
      'INVALID_IDEMPOTENCY_KEY',
      'QUEUED',
    ]);
    expect(db.messages.size).toBe(2);
    for (const outcome of outcomes.filter((o) => o.ok))
      expect(db.dispatches(outcome.message.id)).toHaveLength(1);
  });

  it('one message per idempotency key, also twice in one batch; a reused key fails alone', async () => {
    const { service, db } = newTestService();
    const [first] = await service.sendBatch(ORG, [{ to: TO, body: 'x', idempotencyKey: 'k1' }]);
    const again = await service.sendBatch(ORG, [
      { to: TO, body: 'x', idempotencyKey: 'k1' },
      { to: TO, body: 'other', idempotencyKey: 'k1' },
      { to: TO, body: 'y', idempotencyKey: 'k2' },
      { to: TO, body: 'y', idempotencyKey: 'k2' },
    ]);
    expect(first.ok && again[0].ok && again[0].message.id === first.message.id).toBe(true);
    expect(codes(again)).toEqual(['QUEUED', 'IDEMPOTENCY_KEY_REUSED', 'QUEUED', 'QUEUED']);
    expect(again[2].ok && again[3].ok && again[3].message.id === again[2].message.id).toBe(true);
    expect(db.messages.size).toBe(2);
  });

  it('a transaction per chunk, taking the rate limit once per chunk for its new messages', async () => {
    const { service, db, rateLimit } = newTestService();
    const inputs = Array.from({ length: SEND_BATCH_CHUNK + 5 }, (_, i) => ({
      to: TO,
      body: `n${i}`,
    }));
    inputs[3] = { to: '1', body: 'bad' };
    const outcomes = await service.sendBatch(ORG, inputs);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(SEND_BATCH_CHUNK + 4);
    expect(db.transactions).toBe(2);
    expect(rateLimit.take.mock.calls.map((call) => (call as unknown[])[2])).toEqual([
      SEND_BATCH_CHUNK - 1,
      5,
    ]);
  });

  it('past the rate limit, every input of the chunk is RATE_LIMITED and nothing of it is stored', async () => {
    const { service, db, rateLimit } = newTestService();
    rateLimit.take.mockImplementationOnce(() => Promise.reject(rateLimited(3)));
    const outcomes = await service.sendBatch(ORG, [
      { to: TO, body: 'a' },
      { to: TO, body: 'b' },
    ]);
    expect(codes(outcomes)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(db.messages.size).toBe(0);
  });

  it('refuses an empty batch and one of more than 1,000 inputs', async () => {
    const { service } = newTestService();
    await expect(service.sendBatch(ORG, [])).rejects.toMatchObject({
      code: MessagingErrorCode.INVALID_BATCH_SIZE,
    });
    await expect(
      service.sendBatch(
        ORG,
        Array.from({ length: 1001 }, () => ({ to: TO, body: 'x' })),
      ),
    ).rejects.toMatchObject({ code: MessagingErrorCode.INVALID_BATCH_SIZE });
  });
});
