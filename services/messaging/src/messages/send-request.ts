import type { EntityManager } from 'typeorm';
import type { AuditRecord } from '@switchboard/events';
import type { SendPurpose } from '../domain/message';

/** A send request, from GraphQL or a Kafka command (messaging.send.v1). */
export interface SendMessageCommand {
  to: string;
  body?: string | null;
  /** MMS media: public https URLs (at most 10); a message with media needs an MMS route. */
  mediaUrls?: string[] | null;
  /** A number of the chosen route (`routeId`), or without one a device SIM's (or carrier) number. */
  from?: string | null;
  /**
   * The sender: one of the organization's routes (the device pool or a carrier account's). Its
   * messages take that route only, or with `routeFallback` that route first, then the others.
   */
  routeId?: string | null;
  routeFallback?: boolean | null;
  deviceId?: string | null;
  simNumber?: number | null;
  validUntil?: Date | null;
  scheduledAt?: Date | null;
  idempotencyKey?: string | null;
  metadata?: Record<string, string> | null;
  campaignId?: string | null;
  /** Why it is sent (default TRANSACTIONAL): decides which policies apply. */
  purpose?: SendPurpose | null;
  /**
   * Queue priority, 0–100, higher first (domain/message-priority: what a sender may set);
   * absent: the purpose's default.
   */
  priority?: number | null;
  /** Send back over the device and SIM this inbound message came in by (`to` defaults to its sender). */
  replyToMessageId?: string | null;
  /** The GoHighLevel message this send delivers (ghl-sync's command): kept on the message. */
  ghlMessageId?: string | null;
}

/**
 * Who asked for a send (a user, an API token, a service: the command's `requested_by`), in the
 * audit log's terms.
 */
export type SendActor = AuditRecord['actor'];

export interface SendOptions {
  /**
   * `throw` (GraphQL): an invalid request is a typed error and stores nothing; `reject` (the
   * command topic, whose sender cannot be answered): it is stored as a REJECTED message with
   * the error's code (INVALID_NUMBER, BODY_REQUIRED…), once per idempotency key.
   */
  onInvalid?: 'throw' | 'reject';
  /** Run in this transaction (tenant set) instead of a new one: a consumer's. */
  tx?: EntityManager;
  actor?: SendActor;
}
