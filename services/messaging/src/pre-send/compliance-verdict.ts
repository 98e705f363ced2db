import type { ComplianceDecision } from '../domain/compliance-checks';
import type { PolicyVerdict } from './pre-send-policy';

/** A compliance decision as the chain's verdict: a hold goes on with `holdUntil` set. */
export function verdictOf(decision: ComplianceDecision): PolicyVerdict {
  switch (decision.kind) {
    case 'allow':
      return { kind: 'allow' };
    case 'reject':
      return { kind: 'reject', code: decision.code, reason: decision.reason };
    case 'hold':
      return { kind: 'allow', patch: { holdUntil: decision.until } };
  }
}
