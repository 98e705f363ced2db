import type { CarrierError } from './carrier-errors';

/** What a HEAD of an outbound medium answered (common/guarded-http.ts). */
export interface MediaHeadAnswer {
  status: number | null;
  contentLength: number | null;
  error: null | {
    kind: 'forbidden-address' | 'too-large' | 'timeout' | 'network';
    message: string;
  };
}

/**
 * The check of an MMS's media before a carrier is asked to send it (pure): the first problem,
 * or undefined to let the carrier fetch them. Only what is certain fails the message, and
 * never on another route (every route would fetch the same file; the device pool sends no
 * MMS): a declared size above `maxBytes` → MEDIA_TOO_LARGE; a forbidden address (SSRF rules)
 * or a definite refusal (4xx other than 405/408/429/501: HEAD not supported or busy) →
 * MEDIA_UNREACHABLE. No answer, 5xx or no size: the carrier fetches it from its own network
 * and reports its own media error.
 */
export function outboundMediaProblem(
  answers: readonly MediaHeadAnswer[],
  maxBytes: number,
): CarrierError | undefined {
  for (const [index, answer] of answers.entries()) {
    const fail = (code: CarrierError['code'], rawText: string): CarrierError => ({
      code,
      rawCode: null,
      rawText: `media ${index}: ${rawText}`,
      retryableOnAnotherRoute: false,
      transient: false,
    });
    if (answer.error?.kind === 'forbidden-address')
      return fail('MEDIA_UNREACHABLE', answer.error.message);
    if (answer.error || answer.status === null) continue;
    const status = answer.status;
    if (status >= 400 && status < 500 && ![405, 408, 429].includes(status))
      return fail('MEDIA_UNREACHABLE', `HTTP ${status}`);
    if (
      status >= 200 &&
      status < 300 &&
      answer.contentLength !== null &&
      answer.contentLength > maxBytes
    ) {
      return fail('MEDIA_TOO_LARGE', `${answer.contentLength} bytes (limit ${maxBytes})`);
    }
  }
  return undefined;
}
