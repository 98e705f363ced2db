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
