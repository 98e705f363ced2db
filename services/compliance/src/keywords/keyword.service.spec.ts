import type { DataSource } from 'typeorm';
import type { Clock } from '@switchboard/service-kit';
import type { TenantRepository } from '@switchboard/tenancy';
import type { ComplianceEventsWriter, ReplyCommand } from '../common/compliance-events.writer';
import type { ComplianceConfig } from '../config';
import { DEFAULT_POLICY } from '../domain/policy';
import type { SuppressionSnapshot } from '../domain/suppression';
import type { OrganizationService } from '../organizations/organization.service';
import type { PolicyService } from '../policy/policy.service';
import type { HistoryInput, SuppressionRepository } from '../suppressions/suppression.repository';
import type { SuppressionRecord } from '../suppressions/suppression.record';
import { SuppressionService } from '../suppressions/suppression.service';
import { KeywordService } from './keyword.service';

const ORG = '00000000-0000-4000-8000-000000000001';
const SUBSCRIBER = '+14155550123';
const ORG_NUMBER = '+14155550999';
const tx = {} as never;

/** suppressions and suppression_history of one organization, in memory. */
class FakeSuppressions {
  states = new Map<string, SuppressionRecord>();
  history: HistoryInput[] = [];
  lock() {
    return Promise.resolve();
  }
  find(_tx: unknown, phoneNumber: string) {
    return Promise.resolve(this.states.get(phoneNumber));
  }
  save(_tx: unknown, _org: string, phoneNumber: string, state: SuppressionSnapshot, at: Date) {
    this.states.set(phoneNumber, { ...state, phoneNumber, updatedAt: at });
    return Promise.resolve();
  }
  addHistory(_tx: unknown, _org: string, entry: HistoryInput) {
    if (entry.messageId && this.history.some((h) => h.messageId === entry.messageId)) {
      return Promise.resolve(null);
    }
    this.history.push(entry);
    return Promise.resolve(`h${this.history.length}`);
  }
}

/** What the service wrote to the outbox. */
class FakeEvents {
  states: { phoneNumber: string; state: SuppressionSnapshot }[] = [];
  replies: ReplyCommand[] = [];
  suppression(_tx: unknown, _org: string, phoneNumber: string, state: SuppressionSnapshot) {
    this.states.push({ phoneNumber, state });
    return Promise.resolve();
  }
  reply(_tx: unknown, _org: string, reply: ReplyCommand) {
    this.replies.push(reply);
    return Promise.resolve();
  }
}

function setup(policy = DEFAULT_POLICY) {
  const now = new Date('2026-11-29T15:00:00Z');
  const clock = { now: () => now } as Clock;
  const repo = new FakeSuppressions();
  const events = new FakeEvents();
  const suppressions = new SuppressionService(
    {} as DataSource,
    repo as unknown as SuppressionRepository,
    { register: () => Promise.resolve() } as unknown as TenantRepository,
    events as unknown as ComplianceEventsWriter,
    clock,
  );
  const service = new KeywordService(
    { KEYWORD_REPLY_VALIDITY_SECONDS: 3600 } as ComplianceConfig,
    suppressions,
    { ensure: () => Promise.resolve({ ...policy }) } as unknown as PolicyService,
    { nameOf: () => Promise.resolve('Acme Dental') } as unknown as OrganizationService,
    events as unknown as ComplianceEventsWriter,
    clock,
  );
  let n = 0;
  const inbound = (body: string, messageId = `m${++n}`) =>
    service
      .onInbound(tx, ORG, { messageId, from: SUBSCRIBER, to: ORG_NUMBER, body, receivedAt: null })
      .then(() => messageId);
  return { service, repo, events, clock, inbound };
}

describe('KeywordService', () => {
  it('opts out on STOP, publishes the state and asks for one confirmation', async () => {
    const { repo, events, clock, inbound } = setup();
    const id = await inbound('Stop!');
    expect(repo.states.get(SUBSCRIBER)).toMatchObject({
      optedOut: true,
      optOutSource: 'INBOUND_KEYWORD',
      version: 1,
    });
    expect(events.states).toEqual([
      { phoneNumber: SUBSCRIBER, state: expect.objectContaining({ optedOut: true, version: 1 }) },
    ]);
    expect(events.replies).toEqual([
      {
        idempotencyKey: `compliance-reply:${id}`,
        to: SUBSCRIBER,
        from: '',
        body: expect.stringMatching(/^Acme Dental: You are unsubscribed/),
        replyToMessageId: id,
        validUntil: new Date(clock.now().getTime() + 3_600_000),
      },
    ]);
    expect(repo.history).toEqual([
      expect.objectContaining({
        kind: 'OPT_OUT',
        keyword: 'STOP',
        messageId: id,
        source: 'INBOUND_KEYWORD',
      }),
    ]);
  });

  it('does nothing twice: a replayed message, a repeated STOP', async () => {
    const { repo, events, inbound } = setup();
    const id = await inbound('STOP');
    await inbound('STOP', id);
    await inbound('quit');
    expect(events.replies).toHaveLength(1);
    expect(events.states).toHaveLength(1);
    expect(repo.history.map((h) => h.keyword)).toEqual(['STOP', 'QUIT']);
  });

  it('lifts with START and confirms; ignores YES when not opted out', async () => {
    const { repo, events, inbound } = setup();
    await inbound('yes');
    expect(events.replies).toEqual([]);
    await inbound('STOP');
    await inbound('unstop');
    expect(repo.states.get(SUBSCRIBER)).toMatchObject({ optedOut: false, version: 2 });
    expect(events.replies.map((r) => r.body)).toEqual([
      expect.stringMatching(/unsubscribed/),
      expect.stringMatching(/^Acme Dental: You are resubscribed/),
    ]);
  });

  it("answers HELP with the organization's text, without changing the state", async () => {
    const { repo, events, inbound } = setup({
      ...DEFAULT_POLICY,
      helpReply: '{{organization}}: call 555-0100.',
    });
    await inbound('INFO');
    expect(events.replies.map((r) => r.body)).toEqual(['Acme Dental: call 555-0100.']);
    expect(repo.states.size).toBe(0);
    expect(repo.history).toEqual([expect.objectContaining({ kind: 'HELP', keyword: 'INFO' })]);
  });

  it('records a keyword replayed long after it arrived, without answering it', async () => {
    const { service, repo, events } = setup();
    await service.onInbound(tx, ORG, {
      messageId: 'old',
      from: SUBSCRIBER,
      to: ORG_NUMBER,
      body: 'STOP',
      receivedAt: new Date('2026-11-29T13:59:00Z'),
    });
    expect(repo.states.get(SUBSCRIBER)).toMatchObject({ optedOut: true });
    expect(events.replies).toEqual([]);
    await service.onInbound(tx, ORG, {
      messageId: 'recent',
      from: '+14155550124',
      to: ORG_NUMBER,
      body: 'STOP',
      receivedAt: new Date('2026-11-29T14:59:00Z'),
    });
    expect(events.replies.map((r) => [r.replyToMessageId, r.validUntil])).toEqual([
      ['recent', new Date('2026-11-29T15:59:00Z')],
    ]);
  });

  it('ignores ordinary messages and senders without an E.164 number', async () => {
    const { service, repo, events, inbound } = setup();
    await inbound('stop by later');
    await service.onInbound(tx, ORG, {
      messageId: 'x',
      from: '',
      to: ORG_NUMBER,
      body: 'STOP',
      receivedAt: null,
    });
    expect(repo.history).toEqual([]);
    expect(events.replies).toEqual([]);
  });
});
