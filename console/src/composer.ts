// What the composer shows under the text: encoding, parts, and how much room is left in the
// last part — from the one segment counter (libs/sms), so it agrees with what messaging bills.
// The file, not the package index: the browser bundle takes the pure counter only.
import { analyzeSms } from '../../libs/sms/src/segments';

export interface ComposerCount {
  encoding: 'GSM7' | 'UCS2';
  segments: number;
  /** Characters (septets or UTF-16 units) left before another part is needed. */
  remaining: number;
  /** The line shown to the user, e.g. "GSM-7 · 1 segment · 150 left". */
  label: string;
}

export function composerCount(text: string): ComposerCount {
  const info = analyzeSms(text);
  const capacity = info.segments * info.unitsPerSegment;
  const remaining = Math.max(0, capacity - info.units);
  const encoding = info.encoding === 'GSM7' ? 'GSM-7' : 'UCS-2 (Unicode)';
  const label = `${encoding} · ${info.segments} segment${info.segments === 1 ? '' : 's'} · ${remaining} left`;
  return { encoding: info.encoding, segments: info.segments, remaining, label };
}
