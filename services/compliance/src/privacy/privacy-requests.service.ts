import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DataSource, type EntityManager } from 'typeorm';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { OutboxWriter } from '@switchboard/events';
import { subjectEvent } from '@switchboard/privacy';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction, isUuid } from '@switchboard/tenancy';
import { COMPLIANCE_SERVICE, type Actor } from '../common/actor';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { ComplianceEventsWriter } from '../common/compliance-events.writer';
import { COMPLIANCE_CONFIG, type ComplianceConfig } from '../config';
import { toE164 } from '../domain/phone-number';
import {
  isComplete,
  maskedNumber,
  privacyRequestRefusal,
  type PrivacyCaller,
  type PrivacyKind,
  type Subject,
} from '../domain/privacy-request';
import { DownloadLinks } from '../downloads/download-links';
import type {
  ExportChunkRecord,
  LegalHoldRecord,
  PrivacyParticipantRecord,
  PrivacyRequestRecord,
} from './privacy-request.record';
import { PrivacyRequestsRepository } from './privacy-requests.repository';

/** A subject as a caller gives it (GraphQL input). */
export interface SubjectInput {
  kind: Subject['kind'];
  userId?: string | null;
  phoneNumber?: string | null;
}

export interface PrivacyRequestView {
  request: PrivacyRequestRecord;
  participants: PrivacyParticipantRecord[];
  /** A ready export's signed link, for a caller who may see it; null otherwise. */
  downloadUrl: string | null;
}

const ACTOR_TYPE: Record<Actor['kind'], commonV1.ActorType> = {
  user: commonV1.ActorType.USER,
  api_token: commonV1.ActorType.API_TOKEN,
  device: commonV1.ActorType.DEVICE,
  service: commonV1.ActorType.SERVICE,
  system: commonV1.ActorType.SYSTEM,
};

/**
 * GDPR/CCPA export and erasure: records a request, fans it out on
 * `compliance.privacy-request.v1` and audits it; collects every expected service's answer from
 * `compliance.privacy-reply.v1` (export chunks, done records) and completes the request when
 * all have answered; publishes unanswered requests again.
 */
@Injectable()
export class PrivacyRequestsService {
  constructor(
    @Inject(COMPLIANCE_CONFIG) private readonly config: ComplianceConfig,
    private readonly dataSource: DataSource,
    private readonly requests: PrivacyRequestsRepository,
    private readonly events: ComplianceEventsWriter,
    private readonly outbox: OutboxWriter,
    private readonly links: DownloadLinks,
    private readonly clock: Clock,
  ) {}

  async request(
    orgId: string,
    kind: PrivacyKind,
    input: SubjectInput,
    caller: PrivacyCaller,
    actor: Actor,
    confirmation?: string | null,
  ): Promise<PrivacyRequestView> {
    const subject = this.subjectOf(input, caller);
    const refusal = privacyRequestRefusal(kind, subject, caller, confirmation);
    if (refusal?.code === 'FORBIDDEN') {
      throw new CommonException(CommonErrorCode.FORBIDDEN, refusal.message);
    }
    if (refusal) throw new ComplianceException(ComplianceErrorCode[refusal.code], refusal.message);
    const now = this.clock.now();
    const request: PrivacyRequestRecord = {
      id: randomUUID(),
      orgId,
      kind,
      subject,
      status: 'PENDING',
      requestedByType: actor.kind,
      requestedById: actor.id,
      requestedAt: now,
      completedAt: null,
      expiresAt: null,
      lastPublishedAt: now,
    };
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      await this.requests.insert(tx, request, this.config.PRIVACY_PARTICIPANTS);
      await this.publish(tx, request, actor);
      await this.events.audit(tx, orgId, {
        actor,
        action: kind === 'EXPORT' ? 'privacy_request.export' : 'privacy_request.erasure',
        resourceType: 'privacy_request',
        resourceId: request.id,
        metadata: { subject: subject.kind.toLowerCase() },
        occurredAt: now,
      });
      return this.view(tx, request, caller);
    });
  }

  /** A request with each service's answer (the requester's own, or any for the owner). */
  async get(orgId: string, id: string, caller: PrivacyCaller): Promise<PrivacyRequestView> {
    const notFound = new ComplianceException(
      ComplianceErrorCode.PRIVACY_REQUEST_NOT_FOUND,
      'No such privacy request',
    );
    if (!isUuid(id)) throw notFound;
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const request = await this.requests.find(tx, id);
      if (!request || !(caller.isOwner || request.requestedById === caller.userId)) throw notFound;
      return this.view(tx, request, caller);
    });
  }

  /** A part of a service's export (the consumer's transaction, tenant set). */
  async onChunk(
    tx: EntityManager,
    orgId: string,
    requestId: string,
    chunk: ExportChunkRecord,
  ): Promise<void> {
    const request = await this.requests.find(tx, requestId);
    if (!request || request.kind !== 'EXPORT' || request.status !== 'PENDING') return;
    await this.requests.addChunk(tx, orgId, requestId, chunk);
    await this.completeIfAnswered(tx, request);
  }

  /** A service's end of export or erasure; completes the request when all have answered. */
  async onDone(
    tx: EntityManager,
    requestId: string,
    service: string,
    answer: {
      chunks: number | null;
      counts: Record<string, number>;
      legalHolds: LegalHoldRecord[];
    },
  ): Promise<void> {
    const request = await this.requests.find(tx, requestId, { lock: true });
    if (!request || request.status !== 'PENDING') return;
    await this.requests.markDone(tx, requestId, service, answer, this.clock.now());
    await this.completeIfAnswered(tx, request);
  }

  /** Publishes pending requests not answered for PRIVACY_REPUBLISH_AFTER_SECONDS again. */
  async republishStale(orgIds: readonly string[]): Promise<number> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.config.PRIVACY_REPUBLISH_AFTER_SECONDS * 1000);
    let published = 0;
    for (const orgId of orgIds) {
      published += await inTenantTransaction(this.dataSource, orgId, async (tx) => {
        const stale = await this.requests.stale(tx, before, 100);
        for (const request of stale) {
          await this.publish(tx, request, COMPLIANCE_SERVICE);
          await this.requests.published(tx, request.id, now);
        }
        return stale.length;
      });
    }
    return published;
  }

  private async completeIfAnswered(tx: EntityManager, request: PrivacyRequestRecord) {
    const participants = await this.requests.participants(tx, request.id);
    const states = participants.map((p) => ({
      service: p.service,
      done: p.doneAt !== null,
      chunks: p.chunks,
      chunksReceived: p.chunksReceived,
    }));
    if (!isComplete(request.kind, states)) return;
    const now = this.clock.now();
    const completed = await this.requests.complete(
      tx,
      request.id,
      now,
      request.kind === 'EXPORT' ? this.links.expiry() : null,
      request.kind === 'ERASURE' && request.subject.kind === 'PHONE_NUMBER'
        ? maskedNumber(request.subject.phoneNumber)
        : null,
    );
    if (!completed) return;
    await this.events.audit(tx, request.orgId, {
      actor: COMPLIANCE_SERVICE,
      action: request.kind === 'EXPORT' ? 'privacy_request.export_ready' : 'privacy_request.erased',
      resourceType: 'privacy_request',
      resourceId: request.id,
      metadata: { services: participants.map((p) => p.service).join(',') },
      occurredAt: now,
    });
  }

  private async publish(tx: EntityManager, request: PrivacyRequestRecord, actor: Actor) {
    await this.outbox.add(tx, {
      topic: Topics.compliance.privacyRequest,
      key: request.id,
      orgId: request.orgId,
      event: {
        requestId: request.id,
        orgId: request.orgId,
        kind:
          request.kind === 'EXPORT'
            ? complianceV1.PrivacyRequestKind.EXPORT
            : complianceV1.PrivacyRequestKind.ERASURE,
        subject: subjectEvent(request.subject),
        requestedAt: timestampFromDate(request.requestedAt),
        requestedBy: { type: ACTOR_TYPE[actor.kind], id: actor.id, orgId: actor.orgId ?? '' },
      },
    });
  }

  private async view(
    tx: EntityManager,
    request: PrivacyRequestRecord,
    caller: PrivacyCaller,
  ): Promise<PrivacyRequestView> {
    const participants = await this.requests.participants(tx, request.id);
    const ready =
      request.kind === 'EXPORT' &&
      request.status === 'COMPLETED' &&
      request.expiresAt !== null &&
      request.expiresAt > this.clock.now() &&
      (caller.isOwner || request.requestedById === caller.userId);
    return {
      request,
      participants,
      downloadUrl: ready ? this.links.link(request.orgId, request.id, request.expiresAt!) : null,
    };
  }

  private subjectOf(input: SubjectInput, caller: PrivacyCaller): Subject {
    switch (input.kind) {
      case 'USER': {
        const userId = input.userId ?? caller.userId;
        if (!userId || !isUuid(userId)) {
          throw new ComplianceException(
            ComplianceErrorCode.INVALID_SUBJECT,
            'A user id is required',
          );
        }
        return { kind: 'USER', userId: userId.toLowerCase() };
      }
      case 'ORGANIZATION':
        return { kind: 'ORGANIZATION' };
      case 'PHONE_NUMBER': {
        const phoneNumber = toE164(input.phoneNumber ?? '');
        if (!phoneNumber) {
          throw new ComplianceException(
            ComplianceErrorCode.INVALID_NUMBER,
            'The phone number must be in international (E.164) format',
          );
        }
        return { kind: 'PHONE_NUMBER', phoneNumber };
      }
      default:
        throw new ComplianceException(ComplianceErrorCode.INVALID_SUBJECT, 'Unknown subject kind');
    }
  }
}
