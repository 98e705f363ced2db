/**
 * Carrier account credentials as an organization enters them: checked, trimmed, and the hint
 * the API may show afterwards (never the secret itself). Pure.
 */
import type { CarrierKind } from './carrier-errors';

export interface TwilioCredentials {
  kind: 'TWILIO';
  accountSid: string;
  authToken: string;
  messagingServiceSid: string | null;
}

export interface TelnyxCredentials {
  kind: 'TELNYX';
  apiKey: string;
  /** Base64 of the raw 32-byte Ed25519 public key (Mission Control → Keys & Credentials). */
  webhookPublicKey: string;
  messagingProfileId: string | null;
}

export type CarrierCredentials = TwilioCredentials | TelnyxCredentials;

export interface CredentialsInput {
  twilio?: {
    accountSid: string;
    authToken: string;
    messagingServiceSid?: string | null;
  } | null;
  telnyx?: {
    apiKey: string;
    webhookPublicKey: string;
    messagingProfileId?: string | null;
  } | null;
}

const TWILIO_ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const TWILIO_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const TWILIO_AUTH_TOKEN = /^[0-9a-fA-F]{32}$/;
const TELNYX_API_KEY = /^[A-Za-z0-9_-]{20,200}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The problem with the input (in words for the API), or the credentials. */
export function checkCredentials(
  kind: CarrierKind,
  input: CredentialsInput,
): { credentials: CarrierCredentials } | { problem: string } {
  if (kind === 'TWILIO') {
    const t = input.twilio;
    if (!t || input.telnyx) return { problem: 'A Twilio account takes `twilio` credentials only' };
    const accountSid = t.accountSid.trim();
    const authToken = t.authToken.trim();
    const messagingServiceSid = t.messagingServiceSid?.trim() || null;
    if (!TWILIO_ACCOUNT_SID.test(accountSid)) {
      return { problem: 'accountSid must be AC followed by 32 hex digits' };
    }
    if (!TWILIO_AUTH_TOKEN.test(authToken)) {
      return { problem: 'authToken must be 32 hex digits' };
    }
    if (messagingServiceSid && !TWILIO_SERVICE_SID.test(messagingServiceSid)) {
      return { problem: 'messagingServiceSid must be MG followed by 32 hex digits' };
    }
    return { credentials: { kind, accountSid, authToken, messagingServiceSid } };
  }
  const t = input.telnyx;
  if (!t || input.twilio) return { problem: 'A Telnyx account takes `telnyx` credentials only' };
  const apiKey = t.apiKey.trim();
  const webhookPublicKey = t.webhookPublicKey.trim();
  const messagingProfileId = t.messagingProfileId?.trim().toLowerCase() || null;
  if (!TELNYX_API_KEY.test(apiKey)) return { problem: 'apiKey is not a Telnyx API key' };
  if (!/^[A-Za-z0-9+/]{43}=$/.test(webhookPublicKey)) {
    return { problem: 'webhookPublicKey must be the base64 of a 32-byte Ed25519 public key' };
  }
  if (messagingProfileId && !UUID.test(messagingProfileId)) {
    return { problem: 'messagingProfileId must be a UUID' };
  }
  return { credentials: { kind, apiKey, webhookPublicKey, messagingProfileId } };
}

/** What the API shows of stored credentials: an identifier's first and last characters. */
export function credentialHint(credentials: CarrierCredentials): string {
  const shown = credentials.kind === 'TWILIO' ? credentials.accountSid : credentials.apiKey;
  return `${shown.slice(0, credentials.kind === 'TWILIO' ? 2 : 3)}…${shown.slice(-4)}`;
}
