import type { DescMessage } from '@bufbuild/protobuf';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import { devicesV1 } from '@switchboard/contracts';
import type { EventDraft, OutboxWriter } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { ManualClock } from '@switchboard/testing';
import type { MessagingConfig } from '../config';
import type { ConversationThreading } from '../conversations/conversation-threading';
import { newOutboundMessage, acceptOutbound } from '../domain/outbound-message';
import type { JobsRepository } from '../scheduler/jobs.repository';
import { MessageLifecycle } from './message-lifecycle';
import type { RoutingService } from '../routing/routing.service';
import { MessageTrackingService } from './message-tracking.service';
import type { MessagePatch, MessageRecord } from './message.record';
import type { MessagesRepository } from './messages.repository';

const ORG = '00000000-0000-4000-8000-000000000001';
const ID = '00000000-0000-4000-8000-0000000000a1';
const tx = {} as EntityManager;
const { MessageState } = devicesV1;

function newTestService() {
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
        routing: { deviceId: 'phone-a', simNumber: null },
        timing: { scheduledAt: null, validUntil: new Date(now.getTime() + 3_600_000) },
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
  const canceledTimers: string[] = [];
  const messages = {
    findById: (_tx: EntityManager, id: string) => Promise.resolve(rows.get(id)),
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
      cancel: (_tx: EntityManager, id: string) => void canceledTimers.push(id),
    } as unknown as JobsRepository,
    clock,
  );
  const threading = { threadFor: jest.fn(() => Promise.resolve('conversation-1')) };
  const service = new MessageTrackingService(
    { MESSAGE_MAX_DISPATCH_ATTEMPTS: 3 } as MessagingConfig,
    messages,
    lifecycle,
    threading as unknown as ConversationThreading,
    clock,
    new Metrics({ service: 'messaging-spec', defaultMetrics: false }),
    // No routes: nothing fails over.
    {
      onDeviceWithdrawn: () => Promise.resolve(false),
      onDeviceFailed: () => Promise.resolve(false),
    } as unknown as RoutingService,
  );
  const report = (
    state: devicesV1.MessageState,
    extra: Omit<MessageInitShape<typeof devicesV1.MessageStateEventSchema>, '$typeName'> = {},
  ) =>
    service.onDeviceReport(
      tx,
      create(devicesV1.MessageStateEventSchema, {
        messageId: ID,
        orgId: ORG,
        deviceId: 'phone-a',
        state,
        attempt: 1,
        simNumber: 1,
        ...extra,
      }),
    );
  const commands = () =>
    outbox.filter((d) => (d.event as { command?: unknown }).command !== undefined);
  return { report, rows, outbox, commands, canceledTimers, threading };
}

describe('MessageTrackingService.onDeviceReport', () => {
  it('records DISPATCHED then SENT on the device, threads it, and ends its timers', async () => {
    const { report, rows, canceledTimers, threading } = newTestService();
    await report(MessageState.DISPATCHED);
    expect(rows.get(ID)).toMatchObject({ status: 'DISPATCHED', deviceId: 'phone-a', simNumber: 1 });
    await report(MessageState.SENT);
    expect(rows.get(ID)).toMatchObject({
      status: 'SENT',
      conversationId: 'conversation-1',
      eventSequence: 3,
    });
    expect(threading.threadFor).toHaveBeenLastCalledWith(
      tx,
      expect.objectContaining({ id: ID }),
      { deviceId: 'phone-a', simNumber: 1 },
      { move: true, unread: false },
    );
    expect(canceledTimers).toEqual([ID]); // left the unsent states once
  });

  it('re-dispatches after a device failure: attempt 2, that device excluded, no preference', async () => {
    const { report, rows, commands } = newTestService();
    await report(MessageState.DISPATCHED);
    await report(MessageState.FAILED, { errorCode: 'NO_SERVICE' });
    expect(rows.get(ID)).toMatchObject({
      status: 'DISPATCHED',
      attempt: 2,
      excludedDeviceIds: ['phone-a'],
      requestedDeviceId: null,
    });
    expect(commands()).toHaveLength(1);
    expect(commands()[0].event).toMatchObject({
      command: { case: 'dispatch', value: { attempt: 2, excludedDeviceIds: ['phone-a'] } },
    });
  });

  it('ignores a report of an older attempt and one on an unknown message', async () => {
    const { report, rows, outbox } = newTestService();
    await report(MessageState.RELEASED);
    const before = outbox.length;
    await report(MessageState.SENT, { attempt: 1 });
    await report(MessageState.SENT, { messageId: '00000000-0000-4000-8000-0000000000ff' });
    expect(rows.get(ID)).toMatchObject({ attempt: 2, sentAt: null });
    expect(outbox).toHaveLength(before);
  });
});
