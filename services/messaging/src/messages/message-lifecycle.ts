import { Injectable } from '@nestjs/common';
import type { DescMessage } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import { OutboxWriter, type EventDraft } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { JobsRepository } from '../scheduler/jobs.repository';
import { UNSENT_STATUSES, type MessageStatus } from './domain/message-status';
import { messageEventDraft } from './message-events';
import type { MessagePatch, MessageRecord } from './message.record';
import { MessagesRepository } from './messages.repository';

/** One lifecycle event to emit: the transition `kind`, at `at`. */
export interface LifecycleEvent {
  kind: MessageStatus;
  at: Date;
}

type Commands = (after: MessageRecord) => EventDraft<DescMessage>[];

/**
 * The one way messages are written: the row, its lifecycle events (messaging.message.v1, one
 * per transition, numbered by the message's event sequence) and its commands to the fleet
 * (devices.dispatch.v1) go in the caller's transaction, so they commit — or not — together.
 * A message that has left the unsent states loses its pending timers.
 */
@Injectable()
export class MessageLifecycle {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly messages: MessagesRepository,
    private readonly jobs: JobsRepository,
    private readonly clock: Clock,
  ) {}

  async create(
    tx: EntityManager,
    record: MessageRecord,
    events: LifecycleEvent[],
    commands?: Commands,
  ): Promise<MessageRecord> {
    const created = { ...record, eventSequence: events.length };
    await this.messages.insert(tx, toPatch(created));
    await this.emit(tx, created, 0, events, commands);
    return created;
  }

  async change(
    tx: EntityManager,
    before: MessageRecord,
    patch: MessagePatch,
    events: LifecycleEvent[],
    commands?: Commands,
    at?: Date,
  ): Promise<MessageRecord> {
    const now = at ?? this.clock.now();
    const after: MessageRecord = {
      ...before,
      ...patch,
      eventSequence: before.eventSequence + events.length,
      updatedAt: now,
    };
    await this.messages.update(tx, before.id, {
      ...patch,
      eventSequence: after.eventSequence,
      updatedAt: now,
    });
    await this.emit(tx, after, before.eventSequence, events, commands);
    if (UNSENT_STATUSES.has(before.status) && !UNSENT_STATUSES.has(after.status)) {
      await this.jobs.cancel(tx, before.id);
    }
    return after;
  }

  private async emit(
    tx: EntityManager,
    record: MessageRecord,
    firstSequence: number,
    events: LifecycleEvent[],
    commands?: Commands,
  ): Promise<void> {
    // Commands first: a consumer reading both topics never sees "dispatched" before the command.
    for (const command of commands?.(record) ?? []) await this.outbox.add(tx, command);
    let sequence = firstSequence;
    for (const event of events) {
      sequence += 1;
      await this.outbox.add(tx, messageEventDraft(record, event.kind, sequence, event.at));
    }
  }
}

/** The writable fields of a full record. */
export function toPatch(record: MessageRecord): MessagePatch & { id: string; orgId: string } {
  const { createdMicros: _micros, ...patch } = record;
  return patch;
}
