import type { EntityManager } from 'typeorm';
import type { QuotaProjection } from '@switchboard/quota';
import type { SmsEncoding } from '@switchboard/sms';
import type { MessagingException } from '../common/messaging.exception';
import type { SuppressionFacts } from '../domain/compliance-checks';
import type { SendPurpose } from '../domain/message';
import type {
  OrganizationPolicyProjection,
  OrganizationProjection,
} from '../projections/projection.record';

/**
 * The pre-send hook point: every outbound message passes an ordered chain of policies before it
 * is stored: the numbers and the body are validated, sends of suspended organizations refused,
 * then the compliance policies (opted out, DND, consent, quiet hours) read their projections
 * through `context.tx`, and the quota policy (billing's projection) comes last.
 * Policies marked `recheckAtDispatch` run again when a scheduled (or held) message's time
 * comes: what changed meanwhile (an opt-out) still stops it.
 */
export const PRE_SEND_POLICIES = Symbol('PRE_SEND_POLICIES');

/** The message as the chain sees and refines it. */
export interface OutboundDraft {
  /** As given, then E.164 once the number policy ran. */
  to: string;
  from: string | null;
  body: string;
  mediaUrls: string[];
  /** Set by the body policy. */
  encoding?: SmsEncoding;
  segments?: number;
  /** Why it is sent (undefined: TRANSACTIONAL). */
  purpose?: SendPurpose;
  /** Set by the quiet-hours policy: hold the message until then (its window opens). */
  holdUntil?: Date;
}

export interface PreSendContext {
  orgId: string;
  /** The organization as accounts last told us; undefined until its first event arrives. */
  organization: OrganizationProjection | undefined;
  /** The country national numbers are read in (the organization's, else the configured one). */
  defaultCountry: string;
  /** The send transaction (tenant set): policies read their projections through it. */
  tx: EntityManager;
  now: Date;
  /** When the message would go: its scheduledAt, else now (default). */
  sendAt?: Date;
  /** The end of its validity, if any. */
  validUntil?: Date | null;
  /** `send`: a new request (default); `dispatch`: a scheduled message whose time came. */
  stage?: 'send' | 'dispatch';
  /**
   * A first attempt of this send lost its last-step `take` to concurrent sends: policies that
   * reserve something decide under a lock this time (their take then cannot fail).
   */
  contended?: boolean;
  /**
   * Compliance's policy for the organization when the caller read it already (with the
   * organization, in one statement): null for none published; undefined: not read (the
   * compliance policies read it).
   */
  compliancePolicy?: OrganizationPolicyProjection | null;
  /**
   * Billing's quota projection when the caller read it already (with the organization, without
   * a lock): null for none published; undefined: not read (the quota policy reads it).
   */
  quota?: QuotaProjection | null;
  /**
   * The suppression state of a number the caller read already (with the organization): the
   * compliance policies use it for a draft to that number (`state` undefined: none stored).
   */
  suppression?: { phoneNumber: string; state: SuppressionFacts | undefined };
  /**
   * A batch chunk's reads, made once for all its drafts by the policies' `prepare` hooks (shared
   * by the chunk's contexts); `check` reads them instead of the database. Undefined: a single
   * send (or the per-input path), whose `check` reads what it needs itself.
   */
  prepared?: PreparedFacts;
}

/** What `prepare` hooks read for a whole batch chunk at once. */
export interface PreparedFacts {
  /** The recipients' suppression states by E.164 number (absent from the map: none stored). */
  suppression?: Map<string, SuppressionFacts | undefined>;
  /** The quota policy's verdict on the chunk as a whole: it fits (every draft is allowed). */
  quotaFits?: boolean;
}

/**
 * - `allow`: go on, with the draft refined by `patch` (e.g. the number in E.164);
 * - `invalid`: the request itself is wrong: the caller gets `error`, nothing is stored;
 * - `reject`: a valid message that must not be sent: it is stored REJECTED with `code` and
 *   `reason`, its `rejected` event is emitted, and the caller gets it back.
 */
export type PolicyVerdict =
  | { kind: 'allow'; patch?: Partial<OutboundDraft> }
  | { kind: 'invalid'; error: MessagingException }
  | { kind: 'reject'; code: string; reason: string };

export interface PreSendPolicy {
  readonly name: string;
  /** Run again when a scheduled message is dispatched (the request's validity is not). */
  readonly recheckAtDispatch?: boolean;
  check(
    draft: Readonly<OutboundDraft>,
    context: PreSendContext,
  ): PolicyVerdict | Promise<PolicyVerdict>;
  /**
   * For a policy that reserves something (the quota): the send transaction's last step, for a
   * message the chain allowed — take what `check` saw, in one statement, so the reserved row is
   * locked only until the commit. False: concurrent sends took it meanwhile; the send is rolled
   * back and runs again with `context.contended` (takePreSendReservations).
   */
  take?(draft: Readonly<OutboundDraft>, context: PreSendContext): Promise<boolean>;
  /**
   * The batch hook (set-based sends): before `check` runs on a chunk's drafts (those still
   * allowed, as refined by the policies before this one), read what `check` needs for all of
   * them in one statement into `context.prepared`. Throws PreSendBatchDeclined when the chunk
   * cannot be decided set-based (then every input goes the per-input way).
   */
  prepare?(drafts: readonly Readonly<OutboundDraft>[], context: PreSendContext): Promise<void>;
  /** `take` for all of a chunk's allowed new messages at once (one statement); false: as `take`. */
  takeAll?(drafts: readonly Readonly<OutboundDraft>[], context: PreSendContext): Promise<boolean>;
}

/**
 * A batch chunk cannot be decided set-based (e.g. its quota does not cover it whole, so each
 * input must get exactly what the per-input path would give it): its inputs go the per-input way.
 */
export class PreSendBatchDeclined extends Error {
  constructor(readonly policy: string) {
    super(`pre-send policy ${policy}: the chunk goes the per-input way`);
  }
}

/** A policy's last-step take lost to concurrent sends: the send runs again, `contended`. */
export class PreSendContended extends Error {
  constructor(readonly policy: string) {
    super(`pre-send policy ${policy}: what the check allowed was taken meanwhile`);
  }
}

/** The last step of an allowed send: every policy's take, or PreSendContended. */
export async function takePreSendReservations(
  policies: readonly PreSendPolicy[],
  draft: Readonly<OutboundDraft>,
  context: PreSendContext,
): Promise<void> {
  for (const policy of policies) {
    if (policy.take && !(await policy.take(draft, context)))
      throw new PreSendContended(policy.name);
  }
}

/** The last step of a set-based chunk: every policy's takeAll, or PreSendBatchDeclined. */
export async function takePreSendReservationsAll(
  policies: readonly PreSendPolicy[],
  drafts: readonly Readonly<OutboundDraft>[],
  context: PreSendContext,
): Promise<void> {
  if (drafts.length === 0) return;
  for (const policy of policies) {
    if (policy.take && !policy.takeAll) throw new PreSendBatchDeclined(policy.name);
    if (policy.takeAll && !(await policy.takeAll(drafts, context)))
      throw new PreSendBatchDeclined(policy.name);
  }
}

export type ChainResult =
  | { outcome: 'allow'; draft: OutboundDraft }
  | { outcome: 'reject'; draft: OutboundDraft; code: string; reason: string; policy: string };

/** Runs the policies in order; the first that does not allow decides. */
export async function runPreSendPolicies(
  policies: readonly PreSendPolicy[],
  initial: OutboundDraft,
  context: PreSendContext,
): Promise<ChainResult> {
  let draft = { ...initial };
  for (const policy of policies) {
    const verdict = await policy.check(draft, context);
    switch (verdict.kind) {
      case 'allow':
        draft = { ...draft, ...verdict.patch };
        break;
      case 'invalid':
        throw verdict.error;
      case 'reject':
        return {
          outcome: 'reject',
          draft,
          code: verdict.code,
          reason: verdict.reason,
          policy: policy.name,
        };
    }
  }
  return { outcome: 'allow', draft };
}

/** One draft's answer in a batch: its chain result, or the error of an invalid request. */
export type BatchChainResult = ChainResult | { outcome: 'invalid'; error: MessagingException };

/**
 * The chain over a batch chunk's drafts, policy by policy (each policy's `prepare` once for the
 * drafts still allowed, then its `check` on each), with the same verdicts as
 * runPreSendPolicies on each draft: a policy sees a draft as the policies before it left it.
 * `contexts[i]` is draft i's context; all share `shared.prepared` (and tx, organization).
 */
export async function runPreSendPoliciesBatch(
  policies: readonly PreSendPolicy[],
  initial: readonly OutboundDraft[],
  contexts: readonly PreSendContext[],
  shared: PreSendContext,
): Promise<BatchChainResult[]> {
  const results: (BatchChainResult | undefined)[] = new Array(initial.length);
  const drafts = initial.map((draft) => ({ ...draft }));
  for (const policy of policies) {
    const alive = drafts.map((_, i) => i).filter((i) => !results[i]);
    if (alive.length === 0) break;
    if (policy.prepare)
      await policy.prepare(
        alive.map((i) => drafts[i]),
        shared,
      );
    for (const i of alive) {
      const verdict = await policy.check(drafts[i], contexts[i]);
      switch (verdict.kind) {
        case 'allow':
          drafts[i] = { ...drafts[i], ...verdict.patch };
          break;
        case 'invalid':
          results[i] = { outcome: 'invalid', error: verdict.error };
          break;
        case 'reject':
          results[i] = {
            outcome: 'reject',
            draft: drafts[i],
            code: verdict.code,
            reason: verdict.reason,
            policy: policy.name,
          };
          break;
      }
    }
  }
  return drafts.map((draft, i) => results[i] ?? { outcome: 'allow', draft });
}
