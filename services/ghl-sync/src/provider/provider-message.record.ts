/** What ghl-sync last told GHL about a provider message (never backwards). */
export type ProviderMessageStatus = 'ACCEPTED' | 'PENDING' | 'DELIVERED' | 'FAILED';

/** A row of `provider_messages`: one GHL outbound message delivered through Switchboard. */
export interface ProviderMessageRecord {
  orgId: string;
  ghlMessageId: string;
  locationId: string;
  contactId: string | null;
  messageId: string | null;
  status: ProviderMessageStatus;
  receivedAt: Date;
  updatedAt: Date;
}
