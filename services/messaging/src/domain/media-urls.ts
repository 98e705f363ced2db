/**
 * MMS media as a send request gives it: public HTTPS URLs the carrier fetches. Pure. The size
 * of each file is the carrier's to check when it fetches it (a failed fetch is the carrier's
 * MEDIA_ERROR on the attempt); what can be checked without fetching is checked here.
 */
import type { Checked } from './send-rules';

/** Twilio and Telnyx both take at most 10 media per message. */
export const MAX_MEDIA_URLS = 10;
export const MAX_MEDIA_URL_LENGTH = 2048;

export function checkMediaUrls(urls: readonly string[] | null | undefined): Checked<string[]> {
  const list = urls ?? [];
  const refuse = (message: string, details?: Record<string, unknown>): Checked<string[]> => ({
    ok: false,
    refusal: { code: 'INVALID_MEDIA', message, ...(details ? { details } : {}) },
  });
  if (list.length > MAX_MEDIA_URLS) {
    return refuse(`At most ${MAX_MEDIA_URLS} media URLs per message`, { max: MAX_MEDIA_URLS });
  }
  const checked: string[] = [];
  for (const [index, raw] of list.entries()) {
    const text = raw.trim();
    let url: URL | null = null;
    try {
      url = text.length <= MAX_MEDIA_URL_LENGTH ? new URL(text) : null;
    } catch {
      url = null;
    }
    if (!url || url.protocol !== 'https:' || !url.hostname || url.username || url.password) {
      return refuse('Each media URL must be an absolute https URL without credentials', {
        index,
      });
    }
    checked.push(url.toString());
  }
  return { ok: true, value: checked };
}
