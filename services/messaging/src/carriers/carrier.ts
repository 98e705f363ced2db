import type { EntityManager } from 'typeorm';
import type { CarrierError, CarrierKind } from '../domain/carrier-errors';
import type { CarrierMessageStatus } from '../domain/carrier-status';
import type { Message } from '../domain/message';

export {
  CARRIER_KINDS,
  type CarrierError,
  type CarrierErrorCode,
  type CarrierKind,
} from '../domain/carrier-errors';

// The seam between routing (which route a message takes, when it fails over) and the carriers
// (how a carrier route actually sends, and how carrier callbacks become status changes and
// inbound messages). One adapter per vendor (twilio/, telnyx/) behind `CarrierAdapter`.

/** A carrier account's decrypted secrets: only ever held in memory, never logged or returned. */
export type CarrierAccountSecrets =
  | {
      kind: 'TWILIO';
      accountSid: string;
      authToken: string;
      /** Sends through a Messaging Service (it picks the sender) when set. */
      messagingServiceSid: string | null;
    }
  | {
      kind: 'TELNYX';
      apiKey: string;
      /** Base64 raw 32-byte Ed25519 key that verifies this account's webhooks. */
      webhookPublicKey: string;
      messagingProfileId: string | null;
    };

export interface CarrierSendRequest {
  /** Our message id (for logs and the callback URL; never sent as the vendor's idempotency key). */
  messageId: string;
  /** E.164. */
  to: string;
  /** E.164 sender number; null when the account's messaging service / profile chooses it. */
  from: string | null;
  body: string;
  /** HTTPS media URLs: an MMS when not empty. */
  mediaUrls: string[];
  /** Where the vendor posts this message's status callbacks. */
  statusCallbackUrl: string;
}

export type CarrierSendResult =
  | { ok: true; externalId: string; status: CarrierMessageStatus }
  | { ok: false; error: CarrierError };

/** Whether the vendor accepts the account's credentials (testCarrierAccount). */
export type CarrierCheckResult = { ok: true } | { ok: false; error: CarrierError };

export interface CarrierAdapter {
  readonly kind: CarrierKind;
  send(account: CarrierAccountSecrets, request: CarrierSendRequest): Promise<CarrierSendResult>;
  /** A read-only call with the credentials (Twilio: the account; Telnyx: the balance). */
  check(account: CarrierAccountSecrets): Promise<CarrierCheckResult>;
}

/** A job for the carrier dispatch worker (carriers/carrier-dispatch.queue.ts). */
export interface CarrierDispatchJob {
  messageId: string;
  /** B's route id (kept on the attempt; carriers never read the routes table). */
  routeId: string;
  /** The carrier account the route sends through (carrier_accounts.id). */
  carrierAccountId: string;
  /** The message's attempt number this send belongs to. */
  attempt: number;
  /** Queue priority (0–100, higher first; domain/message-priority); absent: 50. */
  priority?: number;
}

/** Enqueues a carrier send in the caller's transaction (implemented by CarrierDispatchQueue). */
export interface CarrierDispatchEnqueuer {
  enqueue(tx: EntityManager, job: CarrierDispatchJob): Promise<void>;
}
/** Nest token of the CarrierDispatchEnqueuer (provided by the carriers module). */
export const CARRIER_DISPATCH = Symbol('CARRIER_DISPATCH');

/**
 * B's hook, called in the transaction that records a failed carrier attempt (at send time or
 * from a status callback). B decides: fail over to another route, or fail the message.
 * Returns true when B took the message over (then carriers do not fail it).
 */
export interface RouteFailoverHook {
  onAttemptFailed(
    tx: EntityManager,
    message: Message,
    failure: { routeId: string; error: CarrierError },
  ): Promise<boolean>;
  /** The carrier accepted the attempt (externalId known), in the transaction recording it. */
  onAttemptSent?(
    tx: EntityManager,
    message: Message,
    sent: { routeId: string; externalId: string },
  ): Promise<void>;
}
export const ROUTE_FAILOVER = Symbol('ROUTE_FAILOVER');
