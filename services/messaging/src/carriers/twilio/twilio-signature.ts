import twilio from 'twilio';

/**
 * Verifies Twilio's `X-Twilio-Signature` (HMAC-SHA1 with the account's auth token over the
 * public URL Twilio called followed by the POST parameters sorted by name) with the official
 * library's `validateRequest`. The parameters are read from the raw body here, not from a
 * body parser, so what is verified is exactly what was received; nothing else is read first.
 * Returns the parameters when the signature is valid.
 */
export function verifyTwilioRequest(
  authToken: string,
  signature: string | undefined,
  publicUrl: string,
  rawBody: Buffer | undefined,
): Record<string, string> | undefined {
  if (!signature || !rawBody) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    // Twilio's messaging webhooks never repeat a name (media come as MediaUrl0, MediaUrl1…).
    if (key in params) return undefined;
    params[key] = value;
  }
  return twilio.validateRequest(authToken, signature, publicUrl, params) ? params : undefined;
}
