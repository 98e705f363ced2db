// The compliance settings form's conversions and the API's validation answer mapped to fields.

/** Minutes after midnight → "HH:MM" (1440, the end of the day, shows as "24:00"). */
export function minutesToTime(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** "HH:MM" (00:00–24:00) → minutes after midnight; null when it is not such a time. */
export function timeToMinutes(text: string): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  if (m > 59 || h > 24 || (h === 24 && m !== 0)) return null;
  return h * 60 + m;
}

/** The policy's settings the form edits (UpdateCompliancePolicyInput's names). */
export const POLICY_FIELDS = [
  'quietHoursEnabled',
  'windowStartMinute',
  'windowEndMinute',
  'transactionalAction',
  'applyStateRules',
  'consentRequiredForCampaigns',
  'bodyRetentionDays',
  'metadataRetentionMonths',
  'auditRetentionDays',
  'requestLogRetentionDays',
  'stopReply',
  'startReply',
  'helpReply',
] as const;
export type PolicyField = (typeof POLICY_FIELDS)[number];

/**
 * compliance answers INVALID_POLICY with one message, its problems joined by "; ", each starting
 * with the setting's name ("bodyRetentionDays must be an integer from 1 to 90"). Splits it per
 * field; what names no field stays under `form`.
 */
export function policyFieldErrors(message: string): Partial<Record<PolicyField | 'form', string>> {
  const errors: Partial<Record<PolicyField | 'form', string>> = {};
  for (const problem of message
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const name = problem.split(/\s/, 1)[0] as PolicyField;
    const key = (POLICY_FIELDS as readonly string[]).includes(name) ? name : 'form';
    errors[key] = errors[key] ? `${errors[key]}; ${problem}` : problem;
  }
  return errors;
}
