import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { NextFunction, Request, Response } from 'express';

/** Response headers of a download passed on to the client (nothing else leaks through). */
const PASSED_HEADERS = [
  'content-type',
  'content-length',
  'content-disposition',
  'cache-control',
  'x-request-id',
];

export interface DownloadsProxyOptions {
  /** The compliance service's base URL (e.g. http://compliance:4104). */
  upstreamUrl: string;
  /** Counts the request against the client's address (guessing tokens is limited). */
  admit?: (clientIp: string | undefined) => Promise<void>;
  /** How long the upstream may take to start answering. */
  timeoutMs?: number;
  /**
   * Methods passed on (default GET and HEAD). PUT and POST stream the request body through
   * unbuffered, with its content type and length (`/uploads/*`: contact imports to messaging).
   */
  methods?: readonly string[];
}

/**
 * `GET /downloads/*` (any depth: export documents, audit log exports) on the public origin,
 * streamed from compliance: the path and query (the signed `token`) unchanged, no credentials
 * (the token is the authorization), the client's address appended to X-Forwarded-For, the
 * body piped through without buffering (a document may be large), only the download's own
 * headers passed back. The gateway is the only public entry point; compliance is not.
 */
export function downloadsProxy(options: DownloadsProxyOptions) {
  const upstream = new URL(options.upstreamUrl);
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const base = upstream.pathname.replace(/\/+$/, '');
  const methods = options.methods ?? ['GET', 'HEAD'];
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!methods.includes(req.method)) {
      res.setHeader('Allow', methods.join(', '));
      return void res.status(405).end();
    }
    const hasBody = req.method === 'PUT' || req.method === 'POST';
    try {
      await options.admit?.(req.ip);
    } catch {
      return void res.status(429).type('application/problem+json').json({
        type: 'about:blank',
        title: 'Too Many Requests',
        status: 429,
        code: 'RATE_LIMITED',
      });
    }
    const forwarded = [req.headers['x-forwarded-for'], req.ip].filter(Boolean).join(', ');
    const outgoing = send(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${base}${req.originalUrl}`,
        headers: {
          accept: req.headers.accept ?? '*/*',
          'x-forwarded-for': forwarded,
          ...(req.headers['x-request-id'] ? { 'x-request-id': req.headers['x-request-id'] } : {}),
          ...(hasBody && req.headers['content-type']
            ? { 'content-type': req.headers['content-type'] }
            : {}),
          ...(hasBody && req.headers['content-length']
            ? { 'content-length': req.headers['content-length'] }
            : {}),
        },
        timeout: options.timeoutMs ?? 30_000,
      },
      (answer: IncomingMessage) => {
        res.status(answer.statusCode ?? 502);
        for (const name of PASSED_HEADERS) {
          const value = answer.headers[name];
          if (value !== undefined) res.setHeader(name, value);
        }
        res.setHeader('Cache-Control', 'no-store');
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('downloads upstream timed out')));
    outgoing.on('error', (error) => {
      if (res.headersSent) return void res.destroy();
      next(Object.assign(error, { status: 502 }));
    });
    req.on('aborted', () => outgoing.destroy());
    if (hasBody) req.pipe(outgoing);
    else outgoing.end();
  };
}

/** A service's base URL from its subgraph URL (`…/graphql` → `…`). */
export function complianceBaseUrl(subgraphUrl: string): string {
  return subgraphUrl.replace(/\/graphql\/?$/, '');
}
