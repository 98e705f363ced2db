/** Forward pagination of a Relay connection (`first`/`after`), transport-neutral. */
export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

export interface PageInfoValue {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfoValue;
}

export interface PageWindow<P> {
  /** Rows to show; fetch `limit + 1` to know whether there is a next page. */
  limit: number;
  /** The decoded `after` cursor, when one was given. */
  after?: P;
}

export interface PageWindowOptions<P> {
  /** Decodes `after`; undefined means "not one of ours". */
  decode: (cursor: string) => P | undefined;
  /** The service's typed error (its INVALID_PAGINATION code) for a bad `first` or `after`. */
  invalid: (message: string) => Error;
  defaultSize?: number;
  maxSize?: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Checks `first` (0..maxSize) and decodes `after`, throwing the service's error otherwise. */
export function pageWindow<P>(request: PageRequest, options: PageWindowOptions<P>): PageWindow<P> {
  const maxSize = options.maxSize ?? MAX_PAGE_SIZE;
  const first = request.first ?? options.defaultSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > maxSize) {
    throw options.invalid(`first must be between 0 and ${maxSize}`);
  }
  if (request.after == null) return { limit: first };
  const after = options.decode(request.after);
  if (after === undefined) throw options.invalid('Unknown cursor');
  return { limit: first, after };
}

/**
 * Builds the page from `limit + 1` fetched rows: the extra row only says there is a next page.
 * hasPreviousPage is true when the page was asked `after` a cursor (Relay allows that shortcut).
 */
export function toPage<T>(
  rows: readonly T[],
  limit: number,
  hadCursor: boolean,
  cursorOf: (row: T) => string,
): Page<T> {
  const edges = rows.slice(0, limit).map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: pageInfoOf(edges, rows.length > limit, hadCursor) };
}

/** The PageInfo of edges already built. */
export function pageInfoOf(
  edges: readonly { cursor: string }[],
  hasNextPage: boolean,
  hasPreviousPage: boolean,
): PageInfoValue {
  return {
    hasNextPage,
    hasPreviousPage,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
}
