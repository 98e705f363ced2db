import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EntityManager } from 'typeorm';
import type { devicesV1 } from '@switchboard/contracts';
import { Metrics } from '@switchboard/observability';
import { Clock } from '@switchboard/service-kit';
import { analyzeSms } from '@switchboard/sms';
import { stableUuid } from '../common/stable-id';
import { ConversationThreading } from '../conversations/conversation-threading';
import { decideOnInbound, newInboundMessage, type InboundSms } from '../domain/inbound-message';
import { checkMediaUrls } from '../domain/media-urls';
import { MediaService } from '../media/media.service';
import { ProjectionsRepository } from '../projections/projections.repository';
import { MessageLifecycle } from './message-lifecycle';

/** The devices service's inbound report, in domain terms. */
export function inboundSmsOf(
  orgId: string,
  event: devicesV1.InboundMessageEvent,
  now: Date,
): InboundSms {
  const sms = analyzeSms(event.body);
  const receivedAt = event.receivedAt ? timestampDate(event.receivedAt) : now;
  const from = event.from?.e164 || event.fromRaw || null;
  // Devices name each SMS; without a name, the same sender and text on the same device at the
  // same time is taken for a repeated post.
  const deviceMessageId =
    event.id || stableUuid('inbound-unnamed', from ?? '', event.body, receivedAt.toISOString());
  return {
    id: stableUuid('inbound', orgId, event.deviceId, deviceMessageId),
    orgId,
    deviceId: event.deviceId,
    deviceMessageId,
    from,
    to: event.to?.e164 || null,
    body: event.body,
    encoding: sms.encoding,
    segments: sms.segments,
    simNumber: event.simNumber || null,
    receivedAt,
    mms: event.mms
      ? {
          // Only media a customer's client may fetch: https URLs, at most 10 (else none kept).
          mediaUrls: checkedMedia(event.mms.mediaUrls),
          size: Number(event.mms.size),
          contentClass: event.mms.contentClass,
        }
      : null,
  };
}

function checkedMedia(urls: string[]): string[] {
  const checked = checkMediaUrls(urls);
  return checked.ok ? checked.value : [];
}

/**
 * SMS received by the organization's devices (devices.inbound.v1) become RECEIVED messages in
 * the conversation of (contact, device SIM), raising its unread count. A device may post the
 * same SMS twice: (device, its SMS id) is stored once. A closed organization's SMS are not
 * stored; a new one's not projected here yet are (see decideOnInbound).
 */
@Injectable()
export class InboundService {
  private readonly logger = new Logger(InboundService.name);
  private readonly refused;

  constructor(
    private readonly projections: ProjectionsRepository,
    private readonly lifecycle: MessageLifecycle,
    private readonly threading: ConversationThreading,
    private readonly clock: Clock,
    metrics: Metrics,
    @Optional() @Inject(MediaService) private readonly media: MediaService | null = null,
  ) {
    this.refused = metrics.counter(
      'messaging_inbound_refused_total',
      'Inbound SMS not stored, by reason (organization closed or purged).',
      ['reason'],
    );
  }

  /** Runs in the consumer's transaction, tenant set. */
  async receive(
    tx: EntityManager,
    orgId: string,
    event: devicesV1.InboundMessageEvent,
  ): Promise<void> {
    // The phone is registered to the organization: devices vouches that it exists.
    const decision = decideOnInbound(
      await this.projections.findOrganization(tx, orgId),
      await this.projections.isPurged(tx, orgId),
      { vouched: true },
    );
    if (decision.action === 'drop') {
      this.refused.inc({ reason: decision.reason });
      // Never the number or the text: the organization is gone.
      this.logger.warn({
        msg: 'inbound SMS dropped',
        orgId,
        deviceId: event.deviceId,
        reason: decision.reason,
      });
      return;
    }
    const now = this.clock.now();
    const sms = inboundSmsOf(orgId, event, now);
    const created = await this.lifecycle.createOnce(tx, newInboundMessage(sms, now));
    if (!created) return; // posted before
    await this.media?.queueInbound(tx, created, null);
    const conversationId = await this.threading.threadFor(
      tx,
      created,
      { deviceId: sms.deviceId, simNumber: sms.simNumber ?? 0, ourNumber: sms.to },
      { move: false, unread: true },
    );
    await this.lifecycle.change(
      tx,
      created,
      { conversationId: conversationId ?? null },
      [{ kind: 'RECEIVED', at: sms.receivedAt }],
      undefined,
      now,
    );
  }
}
