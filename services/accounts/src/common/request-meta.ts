import type { AuthenticatedRequest } from '@switchboard/auth';

/** What resolvers read from the HTTP request behind them (express, `trust proxy` applied). */
export interface RequestLike extends AuthenticatedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** The client's IP (X-Forwarded-For honoured per TRUST_PROXY), for throttling and rate limits. */
export function clientIp(req: RequestLike | undefined): string {
  return req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
}

/** What a service needs of the request: the client's address (rate limits, throttling). */
export interface ClientMeta {
  ip: string;
}
