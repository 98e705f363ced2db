/** How far a campaign is: messages that reached an end (sent onwards, failed, rejected) of all recipients. */
export function campaignPercent(progress: {
  recipientsTotal: number;
  messagesSent: number;
  messagesFailed: number;
  messagesRejected: number;
}): number {
  if (progress.recipientsTotal <= 0) return 0;
  const done = progress.messagesSent + progress.messagesFailed + progress.messagesRejected;
  return Math.min(100, Math.round((done / progress.recipientsTotal) * 100));
}

/** "ETA 3 min", "ETA 1 h 5 min", or "done" when nothing is left. */
export function formatEta(seconds: number): string {
  if (seconds <= 0) return 'done';
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `ETA ${minutes} min`;
  return `ETA ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const PROGRESS_PARTS = [
  'delivered',
  'sent',
  'failed',
  'rejected',
  'expired',
  'pending',
] as const;
export type ProgressPart = (typeof PROGRESS_PARTS)[number];

/**
 * The campaign's recipients split by where their message is, for the stacked progress bar:
 * delivered; sent (no delivery report yet); failed; rejected (pre-send policies and send
 * errors); expired; pending (not sent yet). The parts add up to the recipients.
 */
export function progressParts(progress: {
  recipientsTotal: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesFailed: number;
  messagesRejected: number;
  messagesExpired: number;
  sendErrors: number;
}): Record<ProgressPart, number> {
  const delivered = progress.messagesDelivered;
  const sent = Math.max(0, progress.messagesSent - delivered);
  const failed = progress.messagesFailed;
  const rejected = progress.messagesRejected + progress.sendErrors;
  const expired = progress.messagesExpired;
  const done = delivered + sent + failed + rejected + expired;
  const pending = Math.max(0, progress.recipientsTotal - done);
  return { delivered, sent, failed, rejected, expired, pending };
}

/** "about 45 s", "about 3 min", "about 2 h 5 min": an estimate, not a clock. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return 'none';
  if (seconds < 60) return `about ${Math.ceil(seconds)} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
