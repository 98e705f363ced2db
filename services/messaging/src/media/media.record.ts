/** Inbound MMS media rows (`message_media`) and fetch jobs (`media_fetch_queue`). */
export type MediaStatus = 'PENDING' | 'STORED' | 'FAILED';

/** A medium of an inbound message, without its bytes. */
export interface MediaRecord {
  id: string;
  orgId: string;
  messageId: string;
  position: number;
  url: string;
  status: MediaStatus;
  contentType: string | null;
  size: number | null;
  error: string | null;
  fetchedAt: Date | null;
}

export interface QueuedMediaFetch {
  mediaId: string;
  tenantId: string;
  carrierAccountId: string | null;
  tries: number;
}
