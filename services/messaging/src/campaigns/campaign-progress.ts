import { liveProgress, type LiveProgress } from '../domain/campaign';
import type { CampaignRecord } from './campaign.record';

/** A stored campaign's live progress (rate now, planned rate, ETA) at `now`. */
export function liveProgressOf(record: CampaignRecord, now: Date): LiveProgress {
  return liveProgress(
    {
      status: record.status,
      ratePerMinute: record.ratePerMinute,
      plannedRatePerMinute: record.plannedRatePerMinute,
      recipientsTotal: record.recipientsTotal,
      processed: record.messagesCreated + record.messagesRejected + record.sendErrors,
      rateSlots: record.rateSlots,
      rateSlotAt: record.rateSlotAt?.getTime() ?? null,
      startedAt: record.startedAt?.getTime() ?? null,
    },
    now.getTime(),
  );
}

/** The live figures as the `campaign.progress` webhook carries them (ETA as an ISO time). */
export function liveProgressSnapshot(
  record: CampaignRecord,
  now: Date,
): Omit<LiveProgress, 'eta'> & { eta: string | null } {
  const live = liveProgressOf(record, now);
  return { ...live, eta: live.eta === null ? null : new Date(live.eta).toISOString() };
}
