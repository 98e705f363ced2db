import { MessagingErrorCode, MessagingException } from './messaging.exception';
import { decodeCursor, encodeCursor, type KeysetPosition } from './cursor';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A page of a Relay connection, transport-neutral. */
export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

/** Checks `first` and decodes `after` (INVALID_PAGINATION otherwise). */
export function pageWindow(
  kind: string,
  request: PageRequest,
): { limit: number; after?: KeysetPosition } {
  const first = request.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new MessagingException(
      MessagingErrorCode.INVALID_PAGINATION,
      `first must be between 0 and ${MAX_PAGE_SIZE}`,
    );
  }
  if (request.after == null) return { limit: first };
  const after = decodeCursor(kind, request.after);
  if (!after) throw new MessagingException(MessagingErrorCode.INVALID_PAGINATION, 'Unknown cursor');
  return { limit: first, after };
}

/**
 * Builds the page from `limit + 1` fetched rows: the extra row only says there is a next page.
 * hasPreviousPage is true when the page was asked `after` a cursor (Relay allows that shortcut).
 */
export function toPage<T>(
  kind: string,
  rows: T[],
  limit: number,
  hadCursor: boolean,
  position: (row: T) => KeysetPosition,
): Page<T> {
  const nodes = rows.slice(0, limit);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(kind, position(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
