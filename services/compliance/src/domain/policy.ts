/**
 * An organization's compliance policy and its rules: the defaults (the seeds' privacy policies
 * and the CTIA-style quiet hours), the allowed ranges, and how a change applies. Pure.
 */

export const TRANSACTIONAL_ACTIONS = ['SEND', 'REFUSE', 'HOLD'] as const;
export type TransactionalAction = (typeof TRANSACTIONAL_ACTIONS)[number];

export interface PolicySettings {
  quietHoursEnabled: boolean;
  /** Minutes after local midnight, [0, 1439]. */
  windowStartMinute: number;
  /** Minutes after local midnight, (start, 1440]; exclusive. */
  windowEndMinute: number;
  transactionalAction: TransactionalAction;
  applyStateRules: boolean;
  consentRequiredForCampaigns: boolean;
  bodyRetentionDays: number;
  metadataRetentionMonths: number;
  auditRetentionDays: number;
  requestLogRetentionDays: number;
  /** Reply texts; null: the default built from the organization's name. */
  stopReply: string | null;
  startReply: string | null;
  helpReply: string | null;
}

/** The seeds' promises: bodies 7 days, metadata 24 months, audit 90 days, request logs 30 days. */
export const DEFAULT_POLICY: Readonly<PolicySettings> = Object.freeze({
  quietHoursEnabled: true,
  windowStartMinute: 8 * 60,
  windowEndMinute: 21 * 60,
  transactionalAction: 'SEND',
  applyStateRules: true,
  consentRequiredForCampaigns: false,
  bodyRetentionDays: 7,
  metadataRetentionMonths: 24,
  auditRetentionDays: 90,
  requestLogRetentionDays: 30,
  stopReply: null,
  startReply: null,
  helpReply: null,
});

/** The allowed range of each number (inclusive). */
export const POLICY_LIMITS = Object.freeze({
  windowStartMinute: [0, 1439],
  windowEndMinute: [1, 1440],
  // The seeds: bodies are purged after 90 days at the latest.
  bodyRetentionDays: [1, 90],
  // Metadata is kept 24 months by the seeds' promise; an organization may keep less.
  metadataRetentionMonths: [1, 24],
  // Up to 7 years (7 × 365 days).
  auditRetentionDays: [1, 2555],
  requestLogRetentionDays: [1, 365],
} as const satisfies Partial<Record<keyof PolicySettings, readonly [number, number]>>);

/** Longest reply text: two GSM-7 segments would cost twice; three is the hard limit. */
export const MAX_REPLY_LENGTH = 459;

export type PolicyChange = Partial<PolicySettings>;

/**
 * Applies `change` to `current` and lists what is wrong with the result (empty: valid). A
 * reply text set to '' returns to the default. Returns the new settings and the changed fields.
 */
export function applyPolicyChange(
  current: PolicySettings,
  change: PolicyChange,
): { settings: PolicySettings; changed: (keyof PolicySettings)[]; problems: string[] } {
  const next: PolicySettings = { ...current };
  for (const [key, value] of Object.entries(change) as [keyof PolicySettings, unknown][]) {
    if (value === undefined) continue;
    (next as unknown as Record<string, unknown>)[key] =
      typeof value === 'string' && key.endsWith('Reply') ? value.trim() || null : value;
  }
  const problems: string[] = [];
  for (const [key, [min, max]] of Object.entries(POLICY_LIMITS) as [
    keyof typeof POLICY_LIMITS,
    readonly [number, number],
  ][]) {
    const value = next[key];
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${key} must be an integer from ${min} to ${max}`);
    }
  }
  if (next.windowEndMinute <= next.windowStartMinute) {
    problems.push('windowEndMinute must be after windowStartMinute (the window is within a day)');
  }
  if (!TRANSACTIONAL_ACTIONS.includes(next.transactionalAction)) {
    problems.push(`transactionalAction must be one of ${TRANSACTIONAL_ACTIONS.join(', ')}`);
  }
  for (const key of ['stopReply', 'startReply', 'helpReply'] as const) {
    const text = next[key];
    if (text !== null && text.length > MAX_REPLY_LENGTH) {
      problems.push(`${key} must be at most ${MAX_REPLY_LENGTH} characters`);
    }
  }
  const changed = (Object.keys(next) as (keyof PolicySettings)[]).filter(
    (key) => next[key] !== current[key],
  );
  return { settings: next, changed, problems };
}
