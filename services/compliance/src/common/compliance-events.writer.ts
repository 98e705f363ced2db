import { Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { commonV1, complianceV1, messagingV1, Topics } from '@switchboard/contracts';
import { OutboxWriter, type SqlRunner } from '@switchboard/events';
import { currentRequestContext } from '@switchboard/observability';
import type { PolicySettings } from '../domain/policy';
import type { Source, SuppressionSnapshot } from '../domain/suppression';
import type { Actor } from './actor';

const SOURCE: Record<Source, complianceV1.ConsentSource> = {
  INBOUND_KEYWORD: complianceV1.ConsentSource.INBOUND_KEYWORD,
  API: complianceV1.ConsentSource.API,
  GHL: complianceV1.ConsentSource.GHL,
  LIST_IMPORT: complianceV1.ConsentSource.LIST_IMPORT,
  ADMIN: complianceV1.ConsentSource.ADMIN,
  WEB_FORM: complianceV1.ConsentSource.WEB_FORM,
};

const QUIET_HOURS_ACTION: Record<
  PolicySettings['transactionalAction'],
  complianceV1.QuietHoursAction
> = {
  SEND: complianceV1.QuietHoursAction.SEND,
  REFUSE: complianceV1.QuietHoursAction.REFUSE,
  HOLD: complianceV1.QuietHoursAction.HOLD,
};

/** An audit entry this service records (see compliance.v1.AuditEvent). */
export interface AuditEntry {
  actor: Actor;
  action: string;
  resourceType: string;
  resourceId?: string;
  reason?: string | null;
  privileged?: boolean;
  metadata?: Record<string, string>;
  occurredAt: Date;
}

/** A keyword reply to send through messaging.send.v1. */
export interface ReplyCommand {
  idempotencyKey: string;
  to: string;
  from: string;
  body: string;
  replyToMessageId: string;
  validUntil: Date;
}

/**
 * Every event the compliance core publishes, written to the outbox in the caller's transaction
 * (published if and only if the change commits), keyed as the topic catalog says, with the
 * organization as `ce_orgid`.
 */
@Injectable()
export class ComplianceEventsWriter {
  constructor(private readonly outbox: OutboxWriter) {}

  /** The number's new state on the compacted compliance.suppression.v1 ("<org>:<e164>"). */
  async suppression(
    tx: SqlRunner,
    orgId: string,
    phoneNumber: string,
    state: SuppressionSnapshot,
    at: Date,
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.compliance.suppression,
      key: `${orgId}:${phoneNumber}`,
      orgId,
      time: at,
      event: {
        orgId,
        phoneNumber: { e164: phoneNumber },
        optedOut: state.optedOut,
        optedOutChangedAt: state.optedOutChangedAt
          ? timestampFromDate(state.optedOutChangedAt)
          : undefined,
        optOutSource: state.optOutSource
          ? SOURCE[state.optOutSource]
          : complianceV1.ConsentSource.UNSPECIFIED,
        consent: state.consent,
        consentChangedAt: state.consentChangedAt
          ? timestampFromDate(state.consentChangedAt)
          : undefined,
        dnd: state.dnd,
        version: BigInt(state.version),
        updatedAt: timestampFromDate(at),
      },
    });
  }

  /** The organization's policy on the compacted compliance.policy.v1 (key: org id). */
  async policy(
    tx: SqlRunner,
    orgId: string,
    policy: PolicySettings,
    version: number,
    at: Date,
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.compliance.policy,
      key: orgId,
      orgId,
      time: at,
      event: {
        orgId,
        quietHours: {
          enabled: policy.quietHoursEnabled,
          windowStartMinute: policy.windowStartMinute,
          windowEndMinute: policy.windowEndMinute,
          transactionalAction: QUIET_HOURS_ACTION[policy.transactionalAction],
          applyStateRules: policy.applyStateRules,
        },
        consentRequiredForCampaigns: policy.consentRequiredForCampaigns,
        retention: {
          bodyRetentionDays: policy.bodyRetentionDays,
          metadataRetentionMonths: policy.metadataRetentionMonths,
          auditRetentionDays: policy.auditRetentionDays,
          requestLogRetentionDays: policy.requestLogRetentionDays,
        },
        version: BigInt(version),
        updatedAt: timestampFromDate(at),
      },
    });
  }

  /** A keyword reply: a send command to messaging, purpose COMPLIANCE_REPLY. */
  async reply(tx: SqlRunner, orgId: string, reply: ReplyCommand): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.messaging.send,
      key: `${orgId}:${reply.idempotencyKey}`,
      orgId,
      subject: reply.replyToMessageId,
      event: {
        orgId,
        idempotencyKey: reply.idempotencyKey,
        to: reply.to,
        from: reply.from,
        body: reply.body,
        purpose: messagingV1.SendPurpose.COMPLIANCE_REPLY,
        replyToMessageId: reply.replyToMessageId,
        requestedBy: { type: commonV1.ActorType.SERVICE, id: 'compliance', orgId: '' },
        validUntil: timestampFromDate(reply.validUntil),
      },
    });
  }

  /**
   * An audit log entry on compliance.audit.v1 (libs/events' one draft for every service),
   * with the request's ids.
   */
  async audit(tx: SqlRunner, orgId: string, entry: AuditEntry): Promise<void> {
    const context = currentRequestContext();
    await this.outbox.audit(tx, {
      ...entry,
      reason: entry.reason ?? undefined,
      orgId,
      outcome: 'success',
      requestId: context?.requestId,
      correlationId: context?.correlationId,
    });
  }
}
