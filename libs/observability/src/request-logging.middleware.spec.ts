import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLogger } from './logger';
import { Metrics } from './metrics';
import { currentRequestContext } from './request-context';
import { requestLogging } from './request-logging.middleware';

function fakeExchange(request: Partial<IncomingMessage> & Record<string, unknown>) {
  const headers: Record<string, string> = {};
  const res = Object.assign(new EventEmitter(), {
    statusCode: 200,
    writableFinished: false,
    setHeader: (name: string, value: string) => void (headers[name] = value),
  });
  const finish = (status: number) => {
    res.statusCode = status;
    res.writableFinished = true;
    res.emit('finish');
    res.emit('close');
  };
  return {
    req: { headers: {}, method: 'GET', ...request } as IncomingMessage,
    res: res as unknown as ServerResponse,
    headers,
    finish,
    abort: () => res.emit('close'),
  };
}

function setup() {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'svc',
    level: 'debug',
    destination: { write: (s) => void lines.push(s) },
  });
  const metrics = new Metrics({ service: 'svc', defaultMetrics: false });
  return {
    middleware: requestLogging({ logger, metrics }),
    metrics,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('requestLogging', () => {
  it('logs one line per request with the route pattern and the path without its query', async () => {
    const { middleware, metrics, logs } = setup();
    const x = fakeExchange({
      method: 'POST',
      url: '/messages/9b2f?to=%2B14155550123',
      originalUrl: '/v1/messages/9b2f?to=%2B14155550123',
      baseUrl: '/v1',
    });
    let context: unknown;
    middleware(x.req, x.res, () => {
      context = currentRequestContext();
      Object.assign(x.req, { route: { path: '/messages/:id' } });
    });
    x.finish(201);

    const requestId = x.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context).toEqual({ correlationId: requestId, requestId });
    const [line] = logs();
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request completed',
      request_id: requestId,
      method: 'POST',
      route: '/v1/messages/:id',
      path: '/v1/messages/9b2f',
      status: 201,
    });
    expect(JSON.stringify(line)).not.toContain('4155550123');
    expect(await metrics.exposition()).toMatch(
      /http_request_duration_seconds_count\{service="svc",method="POST",route="\/v1\/messages\/:id",status_code="201"\} 1/,
    );
  });

  it('reuses a well-formed x-request-id and replaces anything else', () => {
    const { middleware } = setup();
    const good = fakeExchange({ url: '/', headers: { 'x-request-id': 'edge-req-0001' } });
    middleware(good.req, good.res, () => undefined);
    expect(good.headers['x-request-id']).toBe('edge-req-0001');
    const bad = fakeExchange({
      url: '/',
      headers: { 'x-request-id': 'jane@example.com <script>' },
    });
    middleware(bad.req, bad.res, () => undefined);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('labels unmatched requests as such, quiets probes, and marks aborted requests 499', () => {
    const { middleware, logs } = setup();
    const missing = fakeExchange({ url: '/no/such/thing' });
    middleware(missing.req, missing.res, () => undefined);
    missing.finish(404);
    const probe = fakeExchange({ url: '/health/live', route: { path: '/health/live' } });
    middleware(probe.req, probe.res, () => undefined);
    probe.finish(200);
    const aborted = fakeExchange({ url: '/slow', route: { path: '/slow' } });
    middleware(aborted.req, aborted.res, () => undefined);
    aborted.abort();
    expect(logs()).toEqual([
      expect.objectContaining({ level: 'warn', route: '(unmatched)', status: 404 }),
      expect.objectContaining({ level: 'debug', route: '/health/live', status: 200 }),
      expect.objectContaining({ level: 'warn', route: '/slow', status: 499 }),
    ]);
  });
});
