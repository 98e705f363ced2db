import { Injectable } from '@nestjs/common';
import {
  bearerTokenOf,
  JwtVerifier,
  type AuthenticatedRequest,
  type Principal,
} from '@switchboard/auth';

/** What resolvers read from the HTTP request behind them (express, `trust proxy` applied). */
export interface RequestLike extends AuthenticatedRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/** The client's IP (X-Forwarded-For honoured per TRUST_PROXY), for throttling and rate limits. */
export function clientIp(req: RequestLike | undefined): string {
  return req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
}

/**
 * The caller of a field resolver or a federation reference, which the route guard does not
 * cover: the principal the guard put on the request, else the bearer token verified here.
 * Undefined without a valid token.
 */
@Injectable()
export class CallerResolver {
  constructor(private readonly verifier: JwtVerifier) {}

  async of(req: RequestLike | undefined): Promise<Principal | undefined> {
    if (req?.user) return req.user;
    const token = bearerTokenOf(req);
    if (!token) return undefined;
    try {
      const principal = await this.verifier.verify(token);
      if (req) req.user = principal;
      return principal;
    } catch {
      return undefined;
    }
  }
}
