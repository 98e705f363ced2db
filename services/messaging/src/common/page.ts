import {
  decodeKeysetCursor,
  encodeKeysetCursor,
  pageWindow as relayPageWindow,
  toPage as relayToPage,
  type KeysetPosition,
  type Page,
  type PageRequest,
} from '@switchboard/service-kit';
import { MessagingErrorCode, MessagingException } from './messaging.exception';

export type { Page, PageRequest } from '@switchboard/service-kit';

/** Checks `first` and decodes `after`, a (micros, id) keyset of this kind (INVALID_PAGINATION). */
export function pageWindow(
  kind: string,
  request: PageRequest,
): { limit: number; after?: KeysetPosition } {
  return relayPageWindow(request, {
    decode: (cursor) => decodeKeysetCursor(kind, cursor),
    invalid: (message) => new MessagingException(MessagingErrorCode.INVALID_PAGINATION, message),
  });
}

/** The page of `limit + 1` fetched rows, with (micros, id) cursors of this kind. */
export function toPage<T>(
  kind: string,
  rows: T[],
  limit: number,
  hadCursor: boolean,
  position: (row: T) => KeysetPosition,
): Page<T> {
  return relayToPage(rows, limit, hadCursor, (row) => encodeKeysetCursor(kind, position(row)));
}
