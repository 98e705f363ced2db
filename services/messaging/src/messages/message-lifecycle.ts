import { Injectable } from '@nestjs/common';
import type { DescMessage } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import { OutboxWriter, type AuditRecord, type EventDraft } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { runTogether } from '@switchboard/tenancy';
import { JobsRepository } from '../scheduler/jobs.repository';
import type { Message } from '../domain/message';
import { UNSENT_STATUSES } from '../domain/message-status';
import type { MessageTimer, MessageTransition } from '../domain/outbound-message';
import { messageEventDraft } from './message-events';
import type { MessagePatch, MessageRecord } from './message.record';
import { MessagesRepository } from './messages.repository';

/** One lifecycle event to emit: the transition `kind`, at `at`. */
export type LifecycleEvent = MessageTransition;

type Commands = (after: MessageRecord) => EventDraft<DescMessage>[];

/**
 * The one way messages are written — outbound and inbound alike: the row, its lifecycle events
 * (messaging.message.v1, one per transition, numbered by the message's event sequence), its
 * commands to the fleet (devices.dispatch.v1) and its timers go in the caller's transaction, so
 * they commit — or not — together. A message that has left the unsent states loses its pending
 * timers.
 */
@Injectable()
export class MessageLifecycle {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly messages: MessagesRepository,
    private readonly jobs: JobsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * A message locked for a change that may end its timers: its timers first, then the row (the
   * scheduler's lock order), so the change and a scheduler run on the same message queue up.
   */
  async lockForChange(tx: EntityManager, id: string): Promise<MessageRecord | undefined> {
    await this.jobs.lockFor(tx, id);
    return this.messages.findById(tx, id, { forUpdate: true });
  }

  /** An inbound message locked (its media settle under this lock); undefined when gone. */
  async lockInbound(tx: EntityManager, id: string): Promise<MessageRecord | undefined> {
    return this.messages.findById(tx, id, { forUpdate: true });
  }

  /**
   * An inbound message's media are settled: its MEDIA_STORED event (not a transition, the
   * status stays) as the message's next event, with links to the stored media.
   */
  async mediaStored(tx: EntityManager, locked: MessageRecord, links: string[]): Promise<void> {
    const now = this.clock.now();
    const sequence = locked.eventSequence + 1;
    await this.messages.update(tx, locked.id, { eventSequence: sequence });
    await this.outbox.add(tx, messageEventDraft(locked, 'MEDIA_STORED', sequence, now, links));
  }

  /** An audit log entry about a message (compliance.audit.v1), in the change's transaction. */
  async audit(tx: EntityManager, entry: AuditRecord): Promise<void> {
    await this.outbox.audit(tx, entry);
  }

  /**
   * Writes a new message with its first events, commands and timers, in one statement (the
   * row, the outbox rows and the timers depend on nothing of each other: runTogether).
   */
  async create(
    tx: EntityManager,
    message: Message,
    events: LifecycleEvent[],
    options: { commands?: Commands; timers?: MessageTimer[] } = {},
  ): Promise<MessageRecord> {
    return (await this.createMany(tx, [{ message, events, ...options }]))[0];
  }

  /**
   * `create` for several new messages (a batch chunk's) in one statement whatever their number:
   * the rows in one multi-row INSERT, all their events and commands in one of the outbox (each
   * message's commands before its events, as `create`), their timers in one, run together.
   */
  async createMany(
    tx: EntityManager,
    items: readonly {
      message: Message;
      events: LifecycleEvent[];
      commands?: Commands;
      timers?: MessageTimer[];
    }[],
  ): Promise<MessageRecord[]> {
    const created = items.map((item) =>
      recordOf({ ...item.message, eventSequence: item.events.length }),
    );
    if (created.length === 0) return created;
    const outbox = this.outbox.statement(
      items.flatMap((item, i) => this.drafts(created[i], 0, item.events, item.commands)),
    );
    const timers = this.jobs.scheduleAllStatement(
      items.flatMap((item, i) =>
        (item.timers ?? []).map((timer) => ({
          tenantId: created[i].orgId,
          messageId: created[i].id,
          kind: timer.kind,
          dueAt: timer.dueAt,
        })),
      ),
    );
    await runTogether(tx, [
      ...this.messages.insertStatements(created.map(toPatch)),
      ...(outbox ? [outbox] : []),
      ...(timers ? [timers] : []),
    ]);
    return created;
  }

  /**
   * Writes a message a device reported (inbound) unless that device reported it before (same
   * device, same SMS id): undefined then. No events yet: `change` adds them once threaded.
   */
  async createOnce(tx: EntityManager, message: Message): Promise<MessageRecord | undefined> {
    const created = recordOf({ ...message, eventSequence: 0 });
    return (await this.messages.insertInbound(tx, toPatch(created))) ? created : undefined;
  }

  async change(
    tx: EntityManager,
    before: MessageRecord,
    patch: MessagePatch,
    events: LifecycleEvent[],
    commands?: Commands,
    at?: Date,
    /** Timers to set (or move): a held message's new dispatch time. */
    timers: MessageTimer[] = [],
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
    for (const timer of timers) {
      await this.jobs.schedule(tx, {
        tenantId: after.orgId,
        messageId: after.id,
        kind: timer.kind,
        dueAt: timer.dueAt,
      });
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
    // One statement for all of them (issue 17: one round trip, not one per event).
    await this.outbox.addAll(tx, this.drafts(record, firstSequence, events, commands));
  }

  /** Commands first: a consumer reading both topics never sees "dispatched" before the command. */
  private drafts(
    record: MessageRecord,
    firstSequence: number,
    events: LifecycleEvent[],
    commands?: Commands,
  ): EventDraft<DescMessage>[] {
    const drafts: EventDraft<DescMessage>[] = [...(commands?.(record) ?? [])];
    let sequence = firstSequence;
    for (const event of events) {
      sequence += 1;
      drafts.push(messageEventDraft(record, event.kind, sequence, event.at));
    }
    return drafts;
  }
}

/** The record of a message about to be written (its cursor position is its creation time). */
function recordOf(message: Message): MessageRecord {
  return { ...message, createdMicros: String(message.createdAt.getTime() * 1000) };
}

/** The writable fields of a full record. */
function toPatch(record: MessageRecord): MessagePatch & { id: string; orgId: string } {
  const { createdMicros: _micros, ...patch } = record;
  return patch;
}
