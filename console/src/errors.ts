import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** A user-readable line for a failed operation: the error code and message of each error. */
export function errorText(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors
      .map((e) => {
        const code = e.extensions?.code;
        return typeof code === 'string' ? `${e.message} (${code})` : e.message;
      })
      .join('; ');
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * For a mutation whose failure the page already shows from the hook's `error` (Apollo sets it
 * and also rejects the call's promise): marks that rejection handled. Use it only there; every
 * other failure goes into the page's own alert.
 */
export function shownAbove(): void {}
