/** A row of `conversations`: one thread per (organization, contact number, our sender). */
export interface ConversationRecord {
  id: string;
  orgId: string;
  /** The contact's number (E.164, or the raw sender id of an alphanumeric sender). */
  contactNumber: string;
  /** Our side: `sim:<deviceId>:<slot>` for device SIMs, `number:<e164>` otherwise. */
  senderKey: string;
  ourNumber: string | null;
  deviceId: string | null;
  simNumber: number | null;
  messageCount: number;
  unreadCount: number;
  lastMessageAt: Date;
  lastMessageMicros: string;
  lastMessageId: string | null;
  lastReadAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Our side of a conversation, as far as it is known. */
export interface SenderIdentity {
  deviceId?: string | null;
  simNumber?: number | null;
  ourNumber?: string | null;
}

/**
 * The key of our side: the device SIM when the message went through (or came in on) a device —
 * devices report SIM numbers only masked — else our number; null when not known yet (a message
 * for the device pool that no device has taken).
 */
export function senderKeyOf(sender: SenderIdentity): string | null {
  if (sender.deviceId) return `sim:${sender.deviceId}:${sender.simNumber ?? 0}`;
  if (sender.ourNumber) return `number:${sender.ourNumber}`;
  return null;
}
