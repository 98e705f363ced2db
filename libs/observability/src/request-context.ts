import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of one unit of work (an HTTP request, a consumed event) shares. */
export interface RequestContext {
  /** Follows the work across services: the request id at the edge, then event headers. */
  readonly correlationId: string;
  /** This service's id for the request (the `x-request-id` it answered with). */
  readonly requestId?: string;
  readonly tenantId?: string;
}

/** `requestContext.run({ correlationId }, fn)`: everything `fn` does, sync or async, sees it. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestContext(): RequestContext | undefined {
  return requestContext.getStore();
}
