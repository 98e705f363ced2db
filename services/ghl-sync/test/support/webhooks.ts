// Posting signed GHL webhooks to the service, as GHL does.
import type { GhlTestServer } from './ghl-test-server';

export interface PostedWebhook {
  status: number;
  body: Record<string, unknown>;
}

export async function postWebhook(
  url: string,
  payload: unknown,
  headers: Record<string, string>,
): Promise<PostedWebhook> {
  const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** An app webhook (INSTALL, UNINSTALL, ContactDndUpdate) signed with GHL's Ed25519 key. */
export function appWebhook(
  ghl: GhlTestServer,
  baseUrl: string,
  payload: Record<string, unknown>,
  headers?: (raw: string) => Record<string, string>,
): Promise<PostedWebhook> {
  const raw = JSON.stringify(payload);
  return postWebhook(
    `${baseUrl}/ghl/webhooks/app`,
    raw,
    headers ? headers(raw) : { 'x-ghl-signature': ghl.sign(raw) },
  );
}

/** The provider Delivery URL's outbound message, signed with GHL's Ed25519 key. */
export function providerWebhook(
  ghl: GhlTestServer,
  baseUrl: string,
  payload: Record<string, unknown>,
  headers?: (raw: string) => Record<string, string>,
): Promise<PostedWebhook> {
  const raw = JSON.stringify(payload);
  return postWebhook(
    `${baseUrl}/ghl/webhooks/provider`,
    raw,
    headers ? headers(raw) : { 'x-ghl-signature': ghl.sign(raw) },
  );
}
