/**
 * A segment: the contacts whose attributes hold every key/value of its filter (equality, all
 * of them). Pure, so the counters of segments can be kept by the writes that change them.
 */
export type SegmentFilter = Readonly<Record<string, string>>;

export const SEGMENT_FILTER_MAX_KEYS = 10;

export function matchesSegment(
  filter: SegmentFilter,
  attributes: Readonly<Record<string, string>> | null,
): boolean {
  if (!attributes) return false;
  return Object.entries(filter).every(([key, value]) => attributes[key] === value);
}

/** +1 when a write makes a contact match, -1 when it stops matching, 0 otherwise. */
export function segmentDelta(
  filter: SegmentFilter,
  before: Readonly<Record<string, string>> | null,
  after: Readonly<Record<string, string>> | null,
): number {
  return Number(matchesSegment(filter, after)) - Number(matchesSegment(filter, before));
}

/** A filter needs 1 to SEGMENT_FILTER_MAX_KEYS keys; the reason when not. */
export function segmentFilterProblem(filter: SegmentFilter): string | undefined {
  const keys = Object.keys(filter);
  if (keys.length === 0) return 'a segment filter needs at least one attribute';
  if (keys.length > SEGMENT_FILTER_MAX_KEYS) {
    return `a segment filter has at most ${SEGMENT_FILTER_MAX_KEYS} attributes`;
  }
  return undefined;
}
