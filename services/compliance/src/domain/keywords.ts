/**
 * Opt-out keywords (SPEC §4, CTIA and the FCC's 2024 opt-out rule), pure. A keyword counts only
 * as the whole message: case, Unicode compatibility forms (full-width letters), surrounding
 * whitespace, punctuation and symbols are ignored, and a run of spaces, hyphens or underscores
 * inside the text counts as one space ("OPT-OUT" is "OPT OUT"). Anything else — "stop by
 * later", "Stopp", "s t o p" — is an ordinary message.
 */

export type KeywordIntent = 'OPT_OUT' | 'OPT_IN' | 'HELP';

export interface Keyword {
  intent: KeywordIntent;
  /** The keyword as listed below (e.g. "OPT OUT"), for the history. */
  keyword: string;
}

const KEYWORDS: Readonly<Record<string, KeywordIntent>> = Object.freeze({
  STOP: 'OPT_OUT',
  STOPALL: 'OPT_OUT',
  'STOP ALL': 'OPT_OUT',
  UNSUBSCRIBE: 'OPT_OUT',
  CANCEL: 'OPT_OUT',
  END: 'OPT_OUT',
  QUIT: 'OPT_OUT',
  REVOKE: 'OPT_OUT',
  OPTOUT: 'OPT_OUT',
  'OPT OUT': 'OPT_OUT',
  START: 'OPT_IN',
  UNSTOP: 'OPT_IN',
  YES: 'OPT_IN',
  HELP: 'HELP',
  INFO: 'HELP',
});

/** Every keyword and what it means (the documented table). */
export const KEYWORD_TABLE: readonly Keyword[] = Object.freeze(
  Object.entries(KEYWORDS).map(([keyword, intent]) => ({ keyword, intent })),
);

/** Longer texts (once trimmed) are never a keyword, and are not normalized at all. */
const MAX_KEYWORD_MESSAGE = 64;

/** The message as compared: NFKC, invisible format characters gone, trimmed, upper case. */
export function normalizeKeywordText(body: string): string {
  return body
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
    .replace(/[\s\-_]+/gu, ' ')
    .toUpperCase();
}

/** The keyword `body` is, or null for an ordinary message. */
export function parseKeyword(body: string): Keyword | null {
  if (body.trim().length > MAX_KEYWORD_MESSAGE) return null;
  const text = normalizeKeywordText(body);
  const intent = KEYWORDS[text];
  return intent ? { intent, keyword: text } : null;
}
