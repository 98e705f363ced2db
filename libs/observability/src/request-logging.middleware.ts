import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { requestContext } from './request-context';

/** The Express fields read on top of Node's request (all optional: any Node server works). */
interface RequestLike extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

export interface RequestLoggingOptions {
  logger: Logger;
  /** Feeds `http_request_duration_seconds` when given. */
  metrics?: Metrics;
  /** Paths logged at `debug` only (probes and scrapes would drown everything else). */
  quietPaths?: readonly string[];
}

export const REQUEST_ID_HEADER = 'x-request-id';
// A caller's id is reused only when it looks like an id: it lands in every log line.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Express-style middleware (`app.use(requestLogging({ logger, metrics }))`, before any
 * route): reuses or creates the request id and answers with it, runs the rest of the request
 * in a request context (so every log line carries `correlation_id`), and when the response is
 * done logs one line — method, route, path without query string, status, duration; never a
 * body or header — and observes `http_request_duration_seconds`.
 */
export function requestLogging(options: RequestLoggingOptions) {
  const quiet = new Set(options.quietPaths ?? ['/health/live', '/health/ready', '/metrics']);
  const { logger, metrics } = options;

  return function requestLoggingMiddleware(
    req: RequestLike,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    const started = process.hrtime.bigint();
    const header = req.headers[REQUEST_ID_HEADER];
    const requestId =
      typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);

    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = req.method ?? 'GET';
      const path = (req.originalUrl ?? req.url ?? '/').split('?')[0];
      const route = routeOf(req, res.statusCode);
      const status = res.writableFinished ? res.statusCode : 499; // 499: client went away
      metrics?.httpRequestDuration.observe({ method, route, status_code: String(status) }, seconds);
      const level =
        status >= 500 ? 'error' : status >= 400 ? 'warn' : quiet.has(path) ? 'debug' : 'info';
      logger[level](
        {
          request_id: requestId,
          method,
          route,
          path,
          status,
          duration_ms: Math.round(seconds * 1e4) / 10,
        },
        'request completed',
      );
    };
    res.once('finish', finish);
    res.once('close', finish);

    requestContext.run({ correlationId: requestId, requestId }, () => next());
  };
}

/**
 * The route pattern (`/messages/:id`), never the raw path: it is a metric label, so it must
 * have few values. Middleware mounted with `app.use('/graphql', ...)` has no route, only its
 * mount path.
 */
function routeOf(req: RequestLike, status: number): string {
  const pattern = req.route?.path;
  if (typeof pattern === 'string') return `${req.baseUrl ?? ''}${pattern}` || '/';
  if (status !== 404 && req.baseUrl) return req.baseUrl;
  return UNMATCHED_ROUTE;
}
