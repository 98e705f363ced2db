import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@switchboard/service-kit';
import { ConversationThreading } from '../conversations/conversation-threading';
import { messageErrorOfCarrier, type CarrierError } from '../domain/carrier-errors';
import { STATUS_TIMESTAMP, type MessageStatus } from '../domain/message-status';
import { MessageLifecycle } from '../messages/message-lifecycle';
import type { MessageRecord } from '../messages/message.record';
import { ROUTE_FAILOVER, type RouteFailoverHook } from './carrier';

/**
 * The carrier-side writes to a message, each in the caller's tenant transaction through
 * MessageLifecycle (row + events together): accepted by the carrier (externalId, SENT,
 * threaded under the sender number), a later status (DELIVERED, a late SENT), and a failure
 * (routing's failover hook first; the message fails only when routing does not take it).
 */
@Injectable()
export class CarrierMessageWriter {
  constructor(
    private readonly lifecycle: MessageLifecycle,
    private readonly threading: ConversationThreading,
    private readonly clock: Clock,
    @Optional()
    @Inject(ROUTE_FAILOVER)
    private readonly failover: RouteFailoverHook | null = null,
  ) {}

  async accepted(
    tx: EntityManager,
    message: MessageRecord,
    sent: { routeId: string; externalId: string; from: string | null },
  ): Promise<MessageRecord> {
    const now = this.clock.now();
    let after = await this.lifecycle.change(
      tx,
      message,
      {
        externalId: sent.externalId,
        fromNumber: sent.from ?? message.fromNumber,
        status: 'SENT',
        sentAt: now,
        error: null,
      },
      [{ kind: 'SENT', at: now }],
      undefined,
      now,
    );
    const conversationId =
      after.fromNumber &&
      (await this.threading.threadFor(
        tx,
        after,
        { ourNumber: after.fromNumber },
        { move: true, unread: false },
      ));
    if (conversationId) {
      after = await this.lifecycle.change(tx, after, { conversationId }, [], undefined, now);
    }
    await this.failover?.onAttemptSent?.(tx, after, sent);
    return after;
  }

  /** A status the carrier reported: `statusChanged` false stamps a late milestone only. */
  async reported(
    tx: EntityManager,
    message: MessageRecord,
    reported: MessageStatus,
    statusChanged: boolean,
    at: Date,
  ): Promise<void> {
    await this.lifecycle.change(
      tx,
      message,
      {
        ...(statusChanged ? { status: reported } : {}),
        [STATUS_TIMESTAMP[reported]]: at,
      },
      [{ kind: reported, at }],
      undefined,
      this.clock.now(),
    );
  }

  /** The carrier failed the attempt: routing may fail it over; otherwise it fails here. */
  async failed(
    tx: EntityManager,
    message: MessageRecord,
    failure: { routeId: string | null; error: CarrierError },
  ): Promise<void> {
    if (failure.routeId && this.failover) {
      const taken = await this.failover.onAttemptFailed(tx, message, {
        routeId: failure.routeId,
        error: failure.error,
      });
      if (taken) return;
    }
    const now = this.clock.now();
    await this.lifecycle.change(
      tx,
      message,
      { status: 'FAILED', failedAt: now, error: messageErrorOfCarrier(failure.error) },
      [{ kind: 'FAILED', at: now }],
      undefined,
      now,
    );
  }
}
