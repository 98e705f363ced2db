/** A message status as a badge with a tick mark for what reached the phone or handset. */
const MARKS: Record<string, string> = { SENT: '✓', DELIVERED: '✓✓', RECEIVED: '↩' };

export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-status={status}>
      {MARKS[status] ? `${MARKS[status]} ` : ''}
      {status}
    </span>
  );
}
