import type { EntityManager } from 'typeorm';
import type { SmsEncoding } from '@switchboard/sms';
import type { MessagingException } from '../common/messaging.exception';
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
