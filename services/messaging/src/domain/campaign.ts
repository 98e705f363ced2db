/** A campaign's life: DRAFT → SCHEDULED/RUNNING ⇄ PAUSED → COMPLETED, or CANCELED. */
export const CAMPAIGN_STATUSES = [
  'DRAFT',
  'SCHEDULED',
  'RUNNING',
  'PAUSED',
  'COMPLETED',
  'CANCELED',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

/**
 * The status after `action`, or undefined when the action does not apply. `start` schedules
 * when the start time is ahead, else runs; `resume` goes back to RUNNING (the runner holds a
 * SCHEDULED campaign until its time). A final campaign never changes.
 */
export function campaignTransition(
  status: CampaignStatus,
  action: CampaignAction,
  startsLater: boolean,
): CampaignStatus | undefined {
  switch (action) {
    case 'start':
      return status === 'DRAFT' ? (startsLater ? 'SCHEDULED' : 'RUNNING') : undefined;
    case 'pause':
      return status === 'RUNNING' || status === 'SCHEDULED' ? 'PAUSED' : undefined;
    case 'resume':
      return status === 'PAUSED' ? 'RUNNING' : undefined;
    case 'cancel':
      return status === 'COMPLETED' || status === 'CANCELED' ? undefined : 'CANCELED';
  }
}

/**
 * The campaign's pacing: a token bucket of `ratePerMinute` tokens a minute holding at most
 * one run's worth (`burst`), refilled by the time passed. Returns how many recipients may be
 * sent now and the tokens left after them.
 */
export function campaignBudget(
  bucket: { tokens: number; at: number },
  now: number,
  ratePerMinute: number,
  burst: number,
): { allowed: number; tokens: number } {
  const refilled = Math.min(
    burst,
    bucket.tokens + (Math.max(0, now - bucket.at) * ratePerMinute) / 60_000,
  );
  const allowed = Math.max(0, Math.floor(refilled));
  return { allowed, tokens: refilled - allowed };
}

/** Seconds to send `recipients` at `ratePerMinute`. */
export function estimatedSeconds(recipients: number, ratePerMinute: number): number {
  return ratePerMinute > 0 ? Math.ceil((recipients / ratePerMinute) * 60) : 0;
}

/** The idempotency key of a campaign's message to a contact: a restart never sends twice. */
export function campaignMessageKey(campaignId: string, contactId: string): string {
  return `campaign:${campaignId}:${contactId}`;
}

/** The progress counters moved by message lifecycle events. */
export type CampaignCounter = 'sent' | 'delivered' | 'failed' | 'expired';

/** The counter a lifecycle event of a campaign message moves (kind as in MessageEventKind). */
export function campaignCounterOf(kind: string): CampaignCounter | undefined {
  switch (kind) {
    case 'SENT':
      return 'sent';
    case 'DELIVERED':
      return 'delivered';
    case 'FAILED':
      return 'failed';
    case 'EXPIRED':
      return 'expired';
    default:
      return undefined;
  }
}

/** Android lets one app send 30 SMS segments a minute (SMSGate's limit, and the fleet's pacing). */
export const PHONE_SEGMENTS_PER_MINUTE = 30;

/**
 * The rate a campaign runs at: what it asked for, capped by what the organization's online
 * phones can send (30 segments a minute each, `segmentsPerMessage` each). With no phone online
 * the cap does not apply (carrier routes, or messages wait in the pool).
 */
export function effectiveRate(
  requestedPerMinute: number,
  onlinePhones: number,
  segmentsPerMessage: number,
  phoneSegmentsPerMinute = PHONE_SEGMENTS_PER_MINUTE,
): number {
  if (onlinePhones <= 0) return requestedPerMinute;
  const capacity = Math.floor(
    (onlinePhones * phoneSegmentsPerMinute) / Math.max(1, segmentsPerMessage),
  );
  return Math.max(1, Math.min(requestedPerMinute, capacity));
}

/** `campaign.progress` webhooks: at most one per this interval, plus one at every status change. */
export const PROGRESS_WEBHOOK_INTERVAL_MS = 5_000;

export function progressWebhookDue(
  lastAt: Date | null,
  now: Date,
  statusChanged: boolean,
): boolean {
  return (
    statusChanged || !lastAt || now.getTime() - lastAt.getTime() >= PROGRESS_WEBHOOK_INTERVAL_MS
  );
}
