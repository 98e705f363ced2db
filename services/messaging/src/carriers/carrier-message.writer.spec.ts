import type { DescMessage } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import type { EventDraft, OutboxWriter } from '@switchboard/events';
import { ManualClock } from '@switchboard/testing';
import type { ConversationThreading } from '../conversations/conversation-threading';
import { normalizeCarrierError } from '../domain/carrier-errors';
import { acceptOutbound, newOutboundMessage } from '../domain/outbound-message';
import { MessageLifecycle } from '../messages/message-lifecycle';
import type { MessagePatch, MessageRecord } from '../messages/message.record';
import type { MessagesRepository } from '../messages/messages.repository';
import type { JobsRepository } from '../scheduler/jobs.repository';
import type { RouteFailoverHook } from './carrier';
import { CarrierMessageWriter } from './carrier-message.writer';

const ORG = '00000000-0000-4000-8000-000000000001';
const ID = '00000000-0000-4000-8000-0000000000a1';
const tx = {} as EntityManager;

function setup(failover: RouteFailoverHook | null) {
  const clock = new ManualClock();
  const now = clock.now();
  const queued = acceptOutbound(
    newOutboundMessage(
      {
        id: ID,
        orgId: ORG,
        to: '+14155550123',
        from: null,
        body: 'Hi',
        mediaUrls: [],
        routing: { deviceId: null, simNumber: null },
        timing: { scheduledAt: null, validUntil: null },
        campaignId: null,
        idempotencyKey: null,
        metadata: {},
      },
      now,
    ),
    null,
    now,
  ).message;
  const rows = new Map<string, MessageRecord>([
    [ID, { ...queued, eventSequence: 1, createdMicros: '0' }],
  ]);
  const outbox: EventDraft<DescMessage>[] = [];
  const messages = {
    update: (_tx: EntityManager, id: string, patch: MessagePatch) => {
      rows.set(id, { ...rows.get(id)!, ...patch });
      return Promise.resolve();
    },
  } as unknown as MessagesRepository;
  const lifecycle = new MessageLifecycle(
    {
      add: (_tx: EntityManager, d: EventDraft<DescMessage>) => void outbox.push(d),
      addAll: (_tx: EntityManager, ds: EventDraft<DescMessage>[]) => void outbox.push(...ds),
    } as unknown as OutboxWriter,
    messages,
    {
      cancel: () => Promise.resolve(),
      schedule: () => Promise.resolve(),
    } as unknown as JobsRepository,
    clock,
  );
  const threading = { threadFor: jest.fn(() => Promise.resolve('conversation-1')) };
  const writer = new CarrierMessageWriter(
    lifecycle,
    threading as unknown as ConversationThreading,
    clock,
    failover,
  );
  return { writer, rows, outbox, threading, clock };
}

const filtered = normalizeCarrierError('TWILIO', '30007', 'Carrier violation');

describe('CarrierMessageWriter', () => {
  it('accepted: externalId, sender, SENT with its event, threaded under the sender, routing told', async () => {
    const onAttemptSent = jest.fn(() => Promise.resolve());
    const { writer, rows, outbox, threading } = setup({
      onAttemptFailed: () => Promise.resolve(false),
      onAttemptSent,
    });
    await writer.accepted(tx, rows.get(ID)!, {
      routeId: 'r1',
      externalId: 'SM1',
      from: '+14155550100',
    });
    expect(rows.get(ID)).toMatchObject({
      status: 'SENT',
      externalId: 'SM1',
      fromNumber: '+14155550100',
      conversationId: 'conversation-1',
    });
    expect(rows.get(ID)!.sentAt).toBeInstanceOf(Date);
    expect(outbox).toHaveLength(1);
    expect(threading.threadFor).toHaveBeenCalledWith(
      tx,
      expect.objectContaining({ id: ID }),
      { ourNumber: '+14155550100' },
      { move: true, unread: false },
    );
    expect(onAttemptSent).toHaveBeenCalledWith(tx, expect.objectContaining({ id: ID }), {
      routeId: 'r1',
      externalId: 'SM1',
      from: '+14155550100',
    });
  });

  it('failed: routing takes it over → the message is left to routing', async () => {
    const onAttemptFailed = jest.fn(() => Promise.resolve(true));
    const { writer, rows, outbox } = setup({ onAttemptFailed });
    await writer.failed(tx, rows.get(ID)!, { routeId: 'r1', error: filtered });
    expect(onAttemptFailed).toHaveBeenCalledWith(tx, expect.objectContaining({ id: ID }), {
      routeId: 'r1',
      error: filtered,
    });
    expect(rows.get(ID)!.status).toBe('QUEUED');
    expect(outbox).toHaveLength(0);
  });

  it('failed: routing declines (or is not wired) → FAILED with the normalized error', async () => {
    for (const failover of [{ onAttemptFailed: () => Promise.resolve(false) }, null]) {
      const { writer, rows, outbox } = setup(failover);
      await writer.failed(tx, rows.get(ID)!, { routeId: 'r1', error: filtered });
      expect(rows.get(ID)).toMatchObject({
        status: 'FAILED',
        error: {
          code: 'FILTERED',
          message: 'The carrier filtered the message (spam or content rules)',
          rawCode: '30007',
          rawMessage: 'Carrier violation',
        },
      });
      expect(outbox).toHaveLength(1);
    }
  });

  it('reported: a new status moves; a late milestone only stamps its time', async () => {
    const { writer, rows, clock } = setup(null);
    await writer.accepted(tx, rows.get(ID)!, { routeId: 'r1', externalId: 'SM1', from: null });
    const at = new Date(clock.now().getTime() + 5_000);
    await writer.reported(tx, rows.get(ID)!, 'DELIVERED', true, at);
    expect(rows.get(ID)).toMatchObject({ status: 'DELIVERED', deliveredAt: at });
    const late = new Date(at.getTime() + 1);
    await writer.reported(tx, rows.get(ID)!, 'SENT', false, late);
    expect(rows.get(ID)).toMatchObject({ status: 'DELIVERED', sentAt: late });
  });
});
