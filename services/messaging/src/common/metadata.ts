import { MessagingErrorCode, MessagingException } from './messaging.exception';

export const METADATA_MAX_KEYS = 50;
export const METADATA_MAX_KEY_LENGTH = 40;
export const METADATA_MAX_VALUE_LENGTH = 500;

/**
 * Message metadata: the organization's own key/values passed through unchanged to events and
 * webhooks (Stripe's limits: 50 keys of up to 40 characters, string values up to 500).
 */
export function checkMetadata(value: unknown): Record<string, string> {
  const fail = (why: string) => {
    throw new MessagingException(MessagingErrorCode.INVALID_METADATA, `metadata ${why}`);
  };
  if (value == null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail('must be an object');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > METADATA_MAX_KEYS) fail(`may have at most ${METADATA_MAX_KEYS} keys`);
  for (const [key, v] of entries) {
    if (key.length === 0 || key.length > METADATA_MAX_KEY_LENGTH) {
      fail(`keys must have 1 to ${METADATA_MAX_KEY_LENGTH} characters`);
    }
    if (typeof v !== 'string') fail('values must be strings');
    if ((v as string).length > METADATA_MAX_VALUE_LENGTH) {
      fail(`values may have at most ${METADATA_MAX_VALUE_LENGTH} characters`);
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
