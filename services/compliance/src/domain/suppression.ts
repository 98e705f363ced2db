/**
 * What one organization may send to one number, and how each request changes it. Pure: the
 * service loads the current state, asks `decideSuppression`, and writes what it returns.
 *
 * The rule for lifting an opt-out (Twilio's and CTIA's): a subscriber's keyword opt-out (STOP)
 * is lifted only by the subscriber (START, UNSTOP, YES) or by an explicit action of the
 * organization's owner with a reason, recorded with source ADMIN. A member or an API token
 * may lift only opt-outs that came from the API, an import or an admin. Recording consent never
 * lifts an opt-out: the STOP wins until the subscriber or the owner lifts it.
 */

export const SOURCES = [
  'INBOUND_KEYWORD',
  'API',
  'GHL',
  'LIST_IMPORT',
  'ADMIN',
  'WEB_FORM',
] as const;
export type Source = (typeof SOURCES)[number];

export interface SuppressionSnapshot {
  optedOut: boolean;
  optedOutChangedAt: Date | null;
  optOutSource: Source | null;
  consent: boolean;
  consentChangedAt: Date | null;
  consentSource: Source | null;
  dnd: boolean;
  /** 0 for a number never seen. */
  version: number;
}

export const NO_SUPPRESSION: Readonly<SuppressionSnapshot> = Object.freeze({
  optedOut: false,
  optedOutChangedAt: null,
  optOutSource: null,
  consent: false,
  consentChangedAt: null,
  consentSource: null,
  dnd: false,
  version: 0,
});

export type SuppressionRequest =
  | { kind: 'OPT_OUT'; source: Source }
  /** `owner`: the caller is the organization's owner (may lift a keyword opt-out, with a reason). */
  | { kind: 'OPT_IN'; source: Source; owner?: boolean; reason?: string | null }
  | { kind: 'CONSENT_GRANTED'; source: Source }
  | { kind: 'CONSENT_WITHDRAWN'; source: Source }
  | { kind: 'DND_SET'; source: Source }
  | { kind: 'DND_CLEARED'; source: Source };

export type SuppressionDecision =
  | {
      outcome: 'CHANGED';
      next: SuppressionSnapshot;
      /** Whether a keyword reply (confirmation) is due: only when the state changed. */
      confirm: boolean;
    }
  | { outcome: 'UNCHANGED'; next: SuppressionSnapshot; confirm: false }
  /** An opt-in that may not lift this opt-out (a keyword STOP, not the subscriber or owner). */
  | { outcome: 'REFUSED'; reason: 'KEYWORD_OPT_OUT' | 'REASON_REQUIRED' };

export function decideSuppression(
  current: SuppressionSnapshot,
  request: SuppressionRequest,
  at: Date,
): SuppressionDecision {
  const unchanged = { outcome: 'UNCHANGED', next: current, confirm: false } as const;
  const changed = (patch: Partial<SuppressionSnapshot>): SuppressionDecision => ({
    outcome: 'CHANGED',
    next: { ...current, ...patch, version: current.version + 1 },
    confirm: request.source === 'INBOUND_KEYWORD',
  });
  switch (request.kind) {
    case 'OPT_OUT':
      return current.optedOut
        ? unchanged
        : changed({ optedOut: true, optedOutChangedAt: at, optOutSource: request.source });
    case 'OPT_IN': {
      if (!current.optedOut) return unchanged;
      if (current.optOutSource === 'INBOUND_KEYWORD' && request.source !== 'INBOUND_KEYWORD') {
        if (!request.owner) return { outcome: 'REFUSED', reason: 'KEYWORD_OPT_OUT' };
        if (!request.reason?.trim()) return { outcome: 'REFUSED', reason: 'REASON_REQUIRED' };
      }
      return changed({ optedOut: false, optedOutChangedAt: at, optOutSource: request.source });
    }
    case 'CONSENT_GRANTED':
      return current.consent && current.consentSource === request.source
        ? unchanged
        : changed({ consent: true, consentChangedAt: at, consentSource: request.source });
    case 'CONSENT_WITHDRAWN':
      return current.consent
        ? changed({ consent: false, consentChangedAt: at, consentSource: request.source })
        : unchanged;
    case 'DND_SET':
      return current.dnd ? unchanged : changed({ dnd: true });
    case 'DND_CLEARED':
      return current.dnd ? changed({ dnd: false }) : unchanged;
  }
}
