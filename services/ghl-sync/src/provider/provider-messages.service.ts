import { Injectable } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import type { SqlRunner } from '@switchboard/tenancy';
import { CallbackQueue } from '../callbacks/callback-queue.service';
import { GhlSyncErrorCode, GhlSyncException } from '../common/ghl-sync.exception';
import { WebhookVerifier, type SignatureHeaders } from '../common/webhook-verifier';
import { parseProviderOutboundMessage } from '../domain/ghl-webhooks';
import { decideStatusReport, type MessageEventKindName } from '../domain/message-status';
import { ProviderIngestService, type ProviderDeliveryOutcome } from './provider-ingest.service';
import { ProviderMessagesRepository } from './provider-messages.repository';

/**
 * GHL's provider Delivery URL: the Ed25519 signature over the raw bytes first (nothing is
 * parsed before), then the body, then the delivery recorded (ProviderIngestService: the
 * location's organization, once per GHL message id, the send command in the outbox, one
 * transaction). Nothing else happens before the acknowledgement: messaging sends, and the
 * message's lifecycle comes back here (onMessageEvent) and goes to GHL through the callback
 * queue.
 */
@Injectable()
export class ProviderMessagesService {
  constructor(
    private readonly verifier: WebhookVerifier,
    private readonly ingest: ProviderIngestService,
    private readonly deliveries: ProviderMessagesRepository,
    private readonly callbacks: CallbackQueue,
    private readonly clock: Clock,
  ) {}

  /**
   * An event of the message sent for a GHL message: its status for GHL (pending, delivered,
   * failed; forward only), queued as a callback in the event's transaction.
   */
  async onMessageEvent(
    tx: SqlRunner,
    orgId: string,
    event: {
      ghlMessageId: string;
      messageId: string;
      kind: MessageEventKindName;
      error?: { code: string; message: string };
    },
  ): Promise<void> {
    const delivery = await this.deliveries.find(tx, event.ghlMessageId);
    if (!delivery || delivery.orgId !== orgId) return;
    const report = decideStatusReport(delivery.status, event.kind, event.error);
    if (!report) return;
    const now = this.clock.now();
    await this.deliveries.setStatus(tx, event.ghlMessageId, report.next, event.messageId, now);
    await this.callbacks.enqueue(tx, {
      orgId,
      locationId: delivery.locationId,
      subject: `message:${event.ghlMessageId}`,
      payload: { kind: 'MESSAGE_STATUS', ghlMessageId: event.ghlMessageId, update: report.update },
      at: now,
    });
  }

  /** The Delivery URL: verified and parsed here, recorded by ProviderIngestService. */
  async receive(
    rawBody: Buffer | undefined,
    headers: SignatureHeaders,
  ): Promise<ProviderDeliveryOutcome> {
    const body = this.verifier.verifyProvider(rawBody, headers);
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new GhlSyncException(GhlSyncErrorCode.INVALID_WEBHOOK, 'The body is not JSON');
    }
    const parsed = parseProviderOutboundMessage(json);
    if (!parsed.ok) throw new GhlSyncException(GhlSyncErrorCode.INVALID_WEBHOOK, parsed.problem);
    return this.ingest.record(parsed.value);
  }
}
