/** One request to GHL as the request log keeps it (no bodies, no tokens, no phone numbers). */
export interface RequestLogRecord {
  orgId: string;
  id: string;
  locationId: string | null;
  operation: string;
  method: string;
  /** The path with GHL ids (message, contact, conversation ids), never query values. */
  path: string;
  /** The HTTP status, or null when GHL was not reached (or our own limit held the request). */
  status: number | null;
  durationMs: number;
  error: string | null;
  at: Date;
}
