/**
 * SMS encoding and segment counting (3GPP TS 23.038 / 23.040), pure and exact.
 *
 * - GSM-7: every character is in the GSM 03.38 default alphabet or its extension table. A
 *   basic character takes one septet; an extension character takes two (the escape 0x1B, then
 *   the character). 160 septets fit a single SMS; a multipart SMS carries 153 per part (the
 *   user data header takes 7).
 * - UCS-2 otherwise: counted in UTF-16 code units, so an emoji outside the BMP takes two.
 *   70 units in a single SMS; 67 per part of a multipart SMS.
 *
 * Splitting: a part never ends between the escape and its extension character, nor between
 * the two halves of a surrogate pair; when the next character does not fit whole, it starts
 * the next part (so a part may carry 152 septets or 66 units). Grapheme clusters made of
 * several code points (flags, skin tones, ZWJ sequences, combining accents) may be split
 * across parts, as handsets do; each part still decodes on its own.
 *
 * Not used: the national language shift tables (Turkish, Portuguese, ...). Phones and carriers
 * support them unevenly, so text with characters outside the default alphabet (e.g. `ş`, `ç`,
 * `ã`) is sent as UCS-2. No character is silently replaced.
 */
export type SmsEncoding = 'GSM7' | 'UCS2';

/** The GSM 03.38 default alphabet (0x00–0x7F without the escape 0x1B). */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: each takes two septets (escape + character). */
export const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export const GSM7_SINGLE = 160;
export const GSM7_MULTIPART = 153;
export const UCS2_SINGLE = 70;
export const UCS2_MULTIPART = 67;

export interface SegmentInfo {
  encoding: SmsEncoding;
  /** Number of SMS parts (the billing unit). 1 for the empty text. */
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) of the whole text. */
  units: number;
  /** Capacity of one part: 160/153 (GSM-7) or 70/67 (UCS-2), by whether it is multipart. */
  unitsPerSegment: number;
  /** The text of each part, in order; they concatenate to the input. */
  parts: string[];
}

/** Septets a character takes in GSM-7, or undefined when it is not in the alphabet. */
export function gsm7Septets(char: string): 1 | 2 | undefined {
  if (BASIC.has(char)) return 1;
  if (EXTENSION.has(char)) return 2;
  return undefined;
}

/** Whether the whole text can be sent in GSM-7 (default alphabet + extension table). */
export function isGsm7(text: string): boolean {
  for (const char of text) if (!BASIC.has(char) && !EXTENSION.has(char)) return false;
  return true;
}

/** The characters of `text` that force UCS-2 (each listed once, in order of appearance). */
export function nonGsm7Characters(text: string): string[] {
  const found = new Set<string>();
  for (const char of text) if (!BASIC.has(char) && !EXTENSION.has(char)) found.add(char);
  return [...found];
}

/** Splits characters of given costs greedily into parts of at most `capacity`. */
function split(chars: string[], cost: (char: string) => number, capacity: number): string[] {
  const parts: string[] = [];
  let current = '';
  let used = 0;
  for (const char of chars) {
    const c = cost(char);
    if (used + c > capacity) {
      parts.push(current);
      current = '';
      used = 0;
    }
    current += char;
    used += c;
  }
  parts.push(current);
  return parts;
}

/** The encoding and segments of an SMS text. */
export function analyzeSms(text: string): SegmentInfo {
  // `for...of` / spread iterate by code point: a surrogate pair stays one element.
  const chars = [...text];
  if (isGsm7(text)) {
    const cost = (char: string) => (EXTENSION.has(char) ? 2 : 1);
    const units = chars.reduce((sum, char) => sum + cost(char), 0);
    if (units <= GSM7_SINGLE) {
      return { encoding: 'GSM7', segments: 1, units, unitsPerSegment: GSM7_SINGLE, parts: [text] };
    }
    const parts = split(chars, cost, GSM7_MULTIPART);
    return {
      encoding: 'GSM7',
      segments: parts.length,
      units,
      unitsPerSegment: GSM7_MULTIPART,
      parts,
    };
  }
  const units = text.length; // UTF-16 code units
  if (units <= UCS2_SINGLE) {
    return { encoding: 'UCS2', segments: 1, units, unitsPerSegment: UCS2_SINGLE, parts: [text] };
  }
  const parts = split(chars, (char) => char.length, UCS2_MULTIPART);
  return {
    encoding: 'UCS2',
    segments: parts.length,
    units,
    unitsPerSegment: UCS2_MULTIPART,
    parts,
  };
}

/** The number of SMS parts of `text` (what phones send and carriers bill). */
export function countSegments(text: string): number {
  return analyzeSms(text).segments;
}

/**
 * Whether `text` surely takes more than `maxSegments` without analysing it: every character
 * takes at least one septet or code unit, so a text longer (in UTF-16 units) than the largest
 * capacity can never fit. Guards the analysis against huge inputs.
 */
export function obviouslyTooLong(text: string, maxSegments: number): boolean {
  const capacity = maxSegments <= 1 ? GSM7_SINGLE : maxSegments * GSM7_MULTIPART;
  // A GSM-7 character is one UTF-16 unit; UCS-2 capacities are smaller still.
  return text.length > capacity;
}
