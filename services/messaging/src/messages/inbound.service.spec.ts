import type { DescMessage } from '@bufbuild/protobuf';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import { devicesV1 } from '@switchboard/contracts';
import type { EventDraft, OutboxWriter } from '@switchboard/events';
import { Metrics } from '@switchboard/observability';
import { ManualClock } from '@switchboard/testing';
import type { ConversationThreading } from '../conversations/conversation-threading';
import type { OrganizationProjection } from '../projections/projection.record';
import type { ProjectionsRepository } from '../projections/projections.repository';
import type { JobsRepository } from '../scheduler/jobs.repository';
import { InboundService } from './inbound.service';
import { MessageLifecycle } from './message-lifecycle';
import type { MessagePatch, MessageRecord } from './message.record';
import type { MessagesRepository } from './messages.repository';

const ORG = '00000000-0000-4000-8000-000000000001';
const tx = {} as EntityManager;

function newTestService(organization: Partial<OrganizationProjection> | undefined, purged = false) {
  const rows = new Map<string, MessageRecord>();
  const outbox: EventDraft<DescMessage>[] = [];
  const messages = {
    insertInbound: (_tx: EntityManager, row: MessageRecord) => {
      if ([...rows.values()].some((r) => r.deviceMessageId === row.deviceMessageId)) {
        return Promise.resolve(false);
      }
      rows.set(row.id, row);
      return Promise.resolve(true);
    },
    update: (_tx: EntityManager, id: string, patch: MessagePatch) => {
      rows.set(id, { ...rows.get(id)!, ...patch });
      return Promise.resolve();
    },
  } as unknown as MessagesRepository;
  const projections = {
    findOrganization: () =>
      Promise.resolve(organization && { orgId: ORG, status: 'ACTIVE', ...organization }),
    isPurged: () => Promise.resolve(purged),
  } as unknown as ProjectionsRepository;
  const threading = { threadFor: jest.fn(() => Promise.resolve('conversation-1')) };
  const clock = new ManualClock();
  const lifecycle = new MessageLifecycle(
    {
      add: (_tx: EntityManager, d: EventDraft<DescMessage>) => void outbox.push(d),
      addAll: (_tx: EntityManager, ds: EventDraft<DescMessage>[]) => void outbox.push(...ds),
    } as unknown as OutboxWriter,
    messages,
    { cancel: () => Promise.resolve() } as unknown as JobsRepository,
    clock,
  );
  const metrics = new Metrics({ service: 'messaging-spec', defaultMetrics: false });
  const service = new InboundService(
    projections,
    lifecycle,
    threading as unknown as ConversationThreading,
    clock,
    metrics,
  );
  return { service, rows, outbox, threading, metrics };
}

const sms = (id = 'sms-1') =>
  create(devicesV1.InboundMessageEventSchema, {
    id,
    orgId: ORG,
    deviceId: 'phone-1',
    from: { e164: '+14155550123' },
    body: 'Yes, at 8',
    simNumber: 1,
    receivedAt: timestampFromDate(new Date('2030-01-01T12:00:00Z')),
  });

describe('InboundService.receive', () => {
  it('stores a RECEIVED message once, threaded, with its one received event', async () => {
    const { service, rows, outbox, threading } = newTestService({ status: 'ACTIVE' });

    await service.receive(tx, ORG, sms());
    await service.receive(tx, ORG, sms()); // the phone posts it again

    expect([...rows.values()]).toEqual([
      expect.objectContaining({
        status: 'RECEIVED',
        direction: 'INBOUND',
        fromNumber: '+14155550123',
        deviceId: 'phone-1',
        conversationId: 'conversation-1',
        eventSequence: 1,
        receivedAt: new Date('2030-01-01T12:00:00Z'),
      }),
    ]);
    expect(threading.threadFor).toHaveBeenCalledTimes(1);
    expect(outbox).toHaveLength(1);
    expect(outbox[0].event).toMatchObject({ body: 'Yes, at 8', sequence: 1 });
  });

  it('keeps a suspended organization’s SMS', async () => {
    const { service, rows } = newTestService({ status: 'SUSPENDED' });
    await service.receive(tx, ORG, sms());
    expect(rows.size).toBe(1);
  });

  it('keeps the SMS of an organization not projected here yet: its phone vouches for it', async () => {
    const { service, rows } = newTestService(undefined);
    await service.receive(tx, ORG, sms());
    expect([...rows.values()].map((r) => r.body)).toEqual(['Yes, at 8']);
  });

  it.each([
    ['closed', { status: 'DELETION_SCHEDULED' }, false, 'organization-closed'],
    ['purged', undefined, true, 'organization-purged'],
  ])('drops a %s organization’s SMS: nothing stored, counted', async (_w, org, purged, reason) => {
    const { service, rows, outbox, metrics } = newTestService(org, purged);
    await service.receive(tx, ORG, sms());
    expect(rows.size).toBe(0);
    expect(outbox).toEqual([]);
    expect(await metrics.exposition()).toMatch(
      new RegExp(`messaging_inbound_refused_total\\{[^}]*reason="${reason}"[^}]*\\} 1`),
    );
  });
});
