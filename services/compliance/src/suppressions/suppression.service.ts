import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { Clock, pageWindow, toPage, type Page } from '@switchboard/service-kit';
import { inTenantTransaction, type SqlRunner, TenantRepository } from '@switchboard/tenancy';
import type { Actor } from '../common/actor';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { ComplianceEventsWriter } from '../common/compliance-events.writer';
import { toE164 } from '../domain/phone-number';
import {
  decideSuppression,
  NO_SUPPRESSION,
  type Source,
  type SuppressionDecision,
  type SuppressionRequest,
} from '../domain/suppression';
import { decodeSuppressionCursor, encodeSuppressionCursor } from './suppression-cursor';
import type { HistoryRecord, SuppressionRecord } from './suppression.record';
import {
  SuppressionRepository,
  type HistoryInput,
  type SuppressionListFilter,
} from './suppression.repository';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
const MAX_REASON = 500;
const MAX_CONSENT_TEXT = 2000;
/** A consent time this far ahead of our clock is a mistake, not a clock skew. */
const CONSENT_CLOCK_SKEW_MS = 5 * 60_000;

/** What a change is recorded with besides the request itself (history and audit). */
export interface ChangeContext {
  actor: Actor;
  reason?: string | null;
  keyword?: string | null;
  messageId?: string | null;
  ip?: string | null;
  consentText?: string | null;
  occurredAt?: Date;
}

export interface ApplyResult {
  decision: SuppressionDecision;
  /** The history entry's id; null when the inbound message was already handled (a replay). */
  historyId: string | null;
}

/** A number's state (updatedAt null: never seen) and its history, newest first. */
export interface SuppressionView extends Omit<SuppressionRecord, 'updatedAt'> {
  updatedAt: Date | null;
  history: HistoryRecord[];
}

export type SuppressionPage = Page<SuppressionRecord>;

export interface ConsentInput {
  phoneNumber: string;
  source: Source;
  text: string;
  ip?: string | null;
  at?: Date | null;
}

const API_CONSENT_SOURCES: readonly Source[] = ['API', 'WEB_FORM', 'LIST_IMPORT', 'ADMIN'];

function e164(input: string): string {
  const number = toE164(input);
  if (!number) {
    throw new ComplianceException(
      ComplianceErrorCode.INVALID_NUMBER,
      'phoneNumber must be a valid number in international format (E.164, e.g. +14155550123)',
    );
  }
  return number;
}

function reasonOf(reason: string | null | undefined, required: boolean): string | null {
  const text = reason?.trim() || null;
  if (required && !text) {
    throw new CommonException(CommonErrorCode.REASON_REQUIRED, 'A reason is required');
  }
  if (text && text.length > MAX_REASON) {
    throw new ComplianceException(
      ComplianceErrorCode.INVALID_REASON,
      `The reason must be at most ${MAX_REASON} characters`,
    );
  }
  return text;
}

/**
 * Opt-outs, opt-ins and consent per number: load the state, ask domain/suppression.ts, write
 * the state, its history entry and (when it changed) the new version on the compacted
 * compliance.suppression.v1, all in one transaction. The API methods also audit the change.
 */
@Injectable()
export class SuppressionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly suppressions: SuppressionRepository,
    private readonly tenants: TenantRepository,
    private readonly events: ComplianceEventsWriter,
    private readonly clock: Clock,
  ) {}

  /**
   * Applies `request` to the number in `tx` (the caller's tenant transaction). A keyword
   * message that was already recorded changes nothing (`historyId: null`).
   */
  async apply(
    tx: SqlRunner,
    orgId: string,
    phoneNumber: string,
    request: SuppressionRequest,
    context: ChangeContext,
  ): Promise<ApplyResult> {
    await this.suppressions.lock(tx, orgId, phoneNumber);
    const now = this.clock.now();
    const at = context.occurredAt ?? now;
    const current = (await this.suppressions.find(tx, phoneNumber)) ?? NO_SUPPRESSION;
    const decision = decideSuppression(current, request, at);
    if (decision.outcome === 'REFUSED') return { decision, historyId: null };
    const entry: HistoryInput = {
      phoneNumber,
      kind: request.kind,
      source: request.source,
      actorType: context.actor.kind,
      actorId: context.actor.id,
      reason: context.reason,
      keyword: context.keyword,
      messageId: context.messageId,
      ip: context.ip,
      consentText: context.consentText,
      occurredAt: at,
      recordedAt: now,
    };
    const historyId = await this.suppressions.addHistory(tx, orgId, entry);
    if (!historyId) return { decision: { ...decision, confirm: false }, historyId };
    if (decision.outcome === 'CHANGED') {
      // The first number of an organization compliance had not seen: scheduled jobs list it.
      if (current.version === 0) await this.tenants.register(tx, orgId);
      await this.suppressions.save(tx, orgId, phoneNumber, decision.next, now);
      await this.events.suppression(tx, orgId, phoneNumber, decision.next, now);
    }
    return { decision, historyId };
  }

  /**
   * Another service's request (`compliance.opt-out-request.v1`, e.g. GHL's SMS DND from
   * ghl-sync), in the event's transaction: decided like any other change (a DND cleared lifts
   * only the DND, never an opt-out). An invalid number is INVALID_NUMBER (dead-lettered).
   */
  async applyServiceRequest(
    tx: SqlRunner,
    orgId: string,
    input: {
      phoneNumber: string;
      request: SuppressionRequest;
      actor: Actor;
      reason: string | null;
      occurredAt?: Date;
      /** Consent evidence (a list import's opt-in columns). */
      ip?: string | null;
      consentText?: string | null;
    },
  ): Promise<ApplyResult> {
    return this.apply(tx, orgId, e164(input.phoneNumber), input.request, {
      actor: input.actor,
      reason: reasonOf(input.reason, false),
      occurredAt: input.occurredAt,
      ip: input.ip ?? null,
      consentText: input.consentText ?? null,
    });
  }

  /** The HELP keyword: recorded in the number's history (once per inbound message). */
  async recordHelp(
    tx: SqlRunner,
    orgId: string,
    phoneNumber: string,
    context: ChangeContext,
  ): Promise<boolean> {
    const now = this.clock.now();
    const id = await this.suppressions.addHistory(tx, orgId, {
      phoneNumber,
      kind: 'HELP',
      source: 'INBOUND_KEYWORD',
      actorType: context.actor.kind,
      actorId: context.actor.id,
      keyword: context.keyword,
      messageId: context.messageId,
      occurredAt: context.occurredAt ?? now,
      recordedAt: now,
    });
    return id !== null;
  }

  /** `optOut` over the API: source API, a reason required. Idempotent. */
  optOut(
    orgId: string,
    phoneNumber: string,
    reason: string,
    actor: Actor,
  ): Promise<SuppressionView> {
    return this.change(
      orgId,
      e164(phoneNumber),
      { kind: 'OPT_OUT', source: 'API' },
      {
        actor,
        reason: reasonOf(reason, true),
      },
    );
  }

  /**
   * `optIn` over the API. Lifting a keyword opt-out (the subscriber's STOP) takes the owner
   * (`owner`: the `admin` scope) and a reason, and is recorded with source ADMIN; anyone else
   * gets KEYWORD_OPT_OUT.
   */
  optIn(
    orgId: string,
    phoneNumber: string,
    reason: string | null | undefined,
    actor: Actor,
    owner: boolean,
  ): Promise<SuppressionView> {
    const why = reasonOf(reason, false);
    return this.change(
      orgId,
      e164(phoneNumber),
      { kind: 'OPT_IN', source: owner ? 'ADMIN' : 'API', owner, reason: why },
      { actor, reason: why },
    );
  }

  recordConsent(orgId: string, input: ConsentInput, actor: Actor): Promise<SuppressionView> {
    const text = input.text.trim();
    const problems: string[] = [];
    if (!API_CONSENT_SOURCES.includes(input.source)) {
      problems.push(`source must be one of ${API_CONSENT_SOURCES.join(', ')}`);
    }
    if (!text || text.length > MAX_CONSENT_TEXT) {
      problems.push(`text (what the person agreed to) must be 1–${MAX_CONSENT_TEXT} characters`);
    }
    const ip = input.ip?.trim() || null;
    if (ip && isIP(ip) === 0) problems.push('ip must be an IPv4 or IPv6 address');
    const at = input.at ?? this.clock.now();
    if (
      Number.isNaN(at.getTime()) ||
      at.getTime() > this.clock.now().getTime() + CONSENT_CLOCK_SKEW_MS
    ) {
      problems.push('at must not be in the future');
    }
    if (problems.length > 0) {
      throw new ComplianceException(ComplianceErrorCode.INVALID_CONSENT, problems.join('; '));
    }
    return this.change(
      orgId,
      e164(input.phoneNumber),
      { kind: 'CONSENT_GRANTED', source: input.source },
      {
        actor,
        ip,
        consentText: text,
        occurredAt: at,
      },
    );
  }

  withdrawConsent(
    orgId: string,
    phoneNumber: string,
    reason: string | null | undefined,
    actor: Actor,
  ): Promise<SuppressionView> {
    return this.change(
      orgId,
      e164(phoneNumber),
      { kind: 'CONSENT_WITHDRAWN', source: 'API' },
      { actor, reason: reasonOf(reason, false) },
    );
  }

  /** The number's state (never seen: nothing suppressed, version 0) and its history. */
  get(orgId: string, phoneNumber: string, historyLimit = 50): Promise<SuppressionView> {
    const number = e164(phoneNumber);
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.view(tx, number, historyLimit));
  }

  /** A page of the opted-out numbers or of the numbers with consent. */
  list(
    orgId: string,
    filter: Omit<SuppressionListFilter, 'phoneNumber'> & { phoneNumber?: string | null },
    request: { first?: number | null; after?: string | null },
  ): Promise<SuppressionPage> {
    const window = pageWindow(request, {
      decode: (cursor) => decodeSuppressionCursor(filter.list, cursor),
      invalid: (message) =>
        new ComplianceException(ComplianceErrorCode.INVALID_PAGINATION, message),
      defaultSize: DEFAULT_PAGE_SIZE,
      maxSize: MAX_PAGE_SIZE,
    });
    const phoneNumber = filter.phoneNumber ? e164(filter.phoneNumber) : undefined;
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const found = await this.suppressions.page(
        tx,
        { ...filter, phoneNumber },
        window.limit,
        window.after,
      );
      const page = toPage(found, window.limit, window.after !== undefined, (row) =>
        encodeSuppressionCursor(filter.list, { micros: row.micros, phoneNumber: row.phoneNumber }),
      );
      return {
        ...page,
        edges: page.edges.map(({ cursor, node: { micros: _micros, ...node } }) => ({
          cursor,
          node,
        })),
      };
    });
  }

  private change(
    orgId: string,
    phoneNumber: string,
    request: SuppressionRequest,
    context: ChangeContext,
  ): Promise<SuppressionView> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const { decision, historyId } = await this.apply(tx, orgId, phoneNumber, request, context);
      if (decision.outcome === 'REFUSED') {
        throw decision.reason === 'KEYWORD_OPT_OUT'
          ? new ComplianceException(
              ComplianceErrorCode.KEYWORD_OPT_OUT,
              'The number opted out by keyword: only the subscriber (START) or the owner, with a reason, can lift it',
            )
          : new CommonException(
              CommonErrorCode.REASON_REQUIRED,
              'Lifting a keyword opt-out needs a reason',
            );
      }
      await this.events.audit(tx, orgId, {
        actor: context.actor,
        action: AUDIT_ACTION[request.kind],
        resourceType: 'suppression',
        resourceId: historyId ?? undefined,
        reason: context.reason,
        metadata: {
          source: request.source,
          changed: String(decision.outcome === 'CHANGED'),
          version: String(decision.next.version),
        },
        occurredAt: this.clock.now(),
      });
      return this.view(tx, phoneNumber, 50);
    });
  }

  private async view(
    tx: SqlRunner,
    phoneNumber: string,
    historyLimit: number,
  ): Promise<SuppressionView> {
    const state = await this.suppressions.find(tx, phoneNumber);
    return {
      ...(state ?? { ...NO_SUPPRESSION, phoneNumber, updatedAt: null }),
      history: await this.suppressions.history(tx, phoneNumber, historyLimit),
    };
  }
}

const AUDIT_ACTION: Record<SuppressionRequest['kind'], string> = {
  OPT_OUT: 'suppression.opt_out',
  OPT_IN: 'suppression.opt_in',
  CONSENT_GRANTED: 'consent.record',
  CONSENT_WITHDRAWN: 'consent.withdraw',
  DND_SET: 'suppression.dnd_set',
  DND_CLEARED: 'suppression.dnd_clear',
};
