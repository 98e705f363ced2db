import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@switchboard/service-kit';
import type { SqlRunner } from '@switchboard/tenancy';
import { COMPLIANCE_SERVICE } from '../common/actor';
import { ComplianceEventsWriter } from '../common/compliance-events.writer';
import { COMPLIANCE_CONFIG, type ComplianceConfig } from '../config';
import { parseKeyword, type KeywordIntent } from '../domain/keywords';
import { toE164 } from '../domain/phone-number';
import { replyIdempotencyKey, replyText, replyValidUntil } from '../domain/replies';
import { OrganizationService } from '../organizations/organization.service';
import { PolicyService } from '../policy/policy.service';
import { SuppressionService } from '../suppressions/suppression.service';

export interface InboundMessage {
  messageId: string;
  /** The subscriber's number. */
  from: string;
  /** The organization's number it was sent to (may be empty: a SIM that reports none). */
  to: string;
  body: string;
  receivedAt: Date | null;
}

/**
 * Opt-out keywords in inbound SMS: STOP (and the other opt-out words) opts the sender out and
 * sends one confirmation, START/UNSTOP/YES lift a standing opt-out with a short confirmation,
 * HELP/INFO get the help text. Replies go through messaging.send.v1 (purpose COMPLIANCE_REPLY,
 * `reply_to_message_id`: back over the route, device and number the keyword came in by), keyed by the inbound message, so a
 * replayed inbound event neither records nor sends anything twice. A STOP while already opted
 * out, or a START/YES from a number that is not opted out, is recorded but not answered.
 */
@Injectable()
export class KeywordService {
  private readonly logger = new Logger(KeywordService.name);

  constructor(
    @Inject(COMPLIANCE_CONFIG) private readonly config: ComplianceConfig,
    private readonly suppressions: SuppressionService,
    private readonly policies: PolicyService,
    private readonly organizations: OrganizationService,
    private readonly events: ComplianceEventsWriter,
    private readonly clock: Clock,
  ) {}

  async onInbound(tx: SqlRunner, orgId: string, message: InboundMessage): Promise<void> {
    const keyword = parseKeyword(message.body);
    if (!keyword) return;
    const from = toE164(message.from);
    if (!from) {
      this.logger.warn({ msg: 'keyword from a number that is not E.164: ignored', orgId });
      return;
    }
    const context = {
      actor: COMPLIANCE_SERVICE,
      keyword: keyword.keyword,
      messageId: message.messageId,
      occurredAt: message.receivedAt ?? undefined,
    };
    let reply: boolean;
    if (keyword.intent === 'HELP') {
      reply = await this.suppressions.recordHelp(tx, orgId, from, context);
    } else {
      const { decision } = await this.suppressions.apply(
        tx,
        orgId,
        from,
        { kind: keyword.intent, source: 'INBOUND_KEYWORD' },
        context,
      );
      reply = decision.outcome === 'CHANGED' && decision.confirm;
    }
    if (reply) await this.reply(tx, orgId, keyword.intent, from, message);
  }

  private async reply(
    tx: SqlRunner,
    orgId: string,
    intent: KeywordIntent,
    to: string,
    inbound: InboundMessage,
  ): Promise<void> {
    const validUntil = replyValidUntil(
      inbound.receivedAt,
      this.clock.now(),
      this.config.KEYWORD_REPLY_VALIDITY_SECONDS,
    );
    if (!validUntil) {
      this.logger.log({ msg: 'keyword reply not sent: the keyword is too old', orgId, intent });
      return;
    }
    const policy = await this.policies.ensure(tx, orgId);
    const organization = await this.organizations.nameOf(tx, orgId);
    await this.events.reply(tx, orgId, {
      idempotencyKey: replyIdempotencyKey(inbound.messageId),
      to,
      // Empty: messaging sends the reply over the route, device, SIM and number the keyword
      // came in by (reply_to_message_id), which also works when the SIM reports no number.
      from: '',
      body: replyText(intent, organization, policy),
      replyToMessageId: inbound.messageId,
      validUntil,
    });
  }
}
