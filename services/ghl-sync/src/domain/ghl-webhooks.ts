/**
 * The webhook bodies GHL sends, as its docs describe them (`docs/webhook events/*.md`), parsed
 * into what the service uses; anything else is a typed refusal (a missing required field).
 */

/** GHL DND status of one channel (`dndSettings.SMS.status`). */
export type DndStatus = 'active' | 'inactive' | 'permanent';

export type AppWebhook =
  | {
      type: 'INSTALL';
      webhookId: string;
      timestamp: Date;
      appId: string;
      companyId: string;
      locationId?: string;
    }
  | {
      type: 'UNINSTALL';
      webhookId: string;
      timestamp: Date;
      appId: string;
      companyId?: string;
      locationId?: string;
    }
  | {
      type: 'ContactDndUpdate';
      webhookId: string;
      timestamp: Date;
      locationId: string;
      contactId: string;
      phone?: string;
      /** SMS DND on (`active`/`permanent`), off (`inactive`), or not said (undefined). */
      smsDnd?: boolean;
    }
  | { type: 'OTHER'; webhookId: string; timestamp: Date; eventType: string };

/** GHL's provider outbound message (the Delivery URL's body): no timestamp, no webhook id. */
export interface ProviderOutboundMessage {
  messageId: string;
  locationId: string;
  contactId?: string;
  phone: string;
  message: string;
  attachments: string[];
  userId?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

type Json = Record<string, unknown>;
const str = (o: Json, k: string): string | undefined =>
  typeof o[k] === 'string' && (o[k] as string).length > 0 ? (o[k] as string) : undefined;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** SMS DND as a contact's `dndSettings` (or the `dnd` flag alone) says it. */
export function smsDndOf(contact: Json): boolean | undefined {
  const settings = isObject(contact.dndSettings) ? contact.dndSettings : undefined;
  const sms = settings && isObject(settings.SMS) ? settings.SMS : undefined;
  const status = sms ? str(sms, 'status') : undefined;
  if (status === 'active' || status === 'permanent') return true;
  if (status === 'inactive') return false;
  if (typeof contact.dnd === 'boolean') return contact.dnd;
  return undefined;
}

/** An app webhook (INSTALL, UNINSTALL, ContactDndUpdate, …): `webhookId` and `timestamp` required. */
export function parseAppWebhook(body: unknown): Parsed<AppWebhook> {
  if (!isObject(body)) return { ok: false, problem: 'the body is not a JSON object' };
  const type = str(body, 'type');
  const webhookId = str(body, 'webhookId');
  const time = str(body, 'timestamp');
  const timestamp = time ? new Date(time) : undefined;
  if (!type) return { ok: false, problem: 'type is missing' };
  if (!webhookId) return { ok: false, problem: 'webhookId is missing' };
  if (!timestamp || Number.isNaN(timestamp.getTime()))
    return { ok: false, problem: 'timestamp is missing or not a date' };
  const companyId = str(body, 'companyId');
  const locationId = str(body, 'locationId');
  switch (type) {
    case 'INSTALL': {
      const appId = str(body, 'appId');
      if (!appId || !companyId) return { ok: false, problem: 'INSTALL needs appId and companyId' };
      return { ok: true, value: { type, webhookId, timestamp, appId, companyId, locationId } };
    }
    case 'UNINSTALL': {
      const appId = str(body, 'appId');
      if (!appId || (!companyId && !locationId))
        return { ok: false, problem: 'UNINSTALL needs appId and a locationId or companyId' };
      return { ok: true, value: { type, webhookId, timestamp, appId, companyId, locationId } };
    }
    case 'ContactDndUpdate': {
      const contactId = str(body, 'id') ?? str(body, 'contactId');
      if (!locationId || !contactId)
        return { ok: false, problem: 'ContactDndUpdate needs locationId and the contact id' };
      return {
        ok: true,
        value: {
          type,
          webhookId,
          timestamp,
          locationId,
          contactId,
          phone: str(body, 'phone'),
          smsDnd: smsDndOf(body),
        },
      };
    }
    default:
      return { ok: true, value: { type: 'OTHER', webhookId, timestamp, eventType: type } };
  }
}

/** Whether an app webhook's timestamp is within `toleranceSeconds` of now (either side). */
export function isFresh(timestamp: Date, now: Date, toleranceSeconds: number): boolean {
  return Math.abs(now.getTime() - timestamp.getTime()) <= toleranceSeconds * 1000;
}

/** The provider Delivery URL's body (`type: "SMS"` only: the provider is an SMS provider). */
export function parseProviderOutboundMessage(body: unknown): Parsed<ProviderOutboundMessage> {
  if (!isObject(body)) return { ok: false, problem: 'the body is not a JSON object' };
  const messageId = str(body, 'messageId');
  const locationId = str(body, 'locationId');
  const phone = str(body, 'phone');
  const type = str(body, 'type');
  if (!messageId || !locationId || !phone)
    return { ok: false, problem: 'messageId, locationId and phone are required' };
  if (type !== 'SMS') return { ok: false, problem: `type ${type ?? '(none)'} is not SMS` };
  const message = typeof body.message === 'string' ? body.message : '';
  const attachments = Array.isArray(body.attachments)
    ? body.attachments.filter((a): a is string => typeof a === 'string' && a.length > 0)
    : [];
  if (!message && attachments.length === 0)
    return { ok: false, problem: 'neither message nor attachments' };
  return {
    ok: true,
    value: {
      messageId,
      locationId,
      contactId: str(body, 'contactId'),
      phone,
      message,
      attachments,
      userId: str(body, 'userId'),
    },
  };
}
