// Boots a small Nest app with the lib's health, metrics and request logging and talks to it
// over HTTP; then runs a traced app in a plain node process (tracing patches Node's module
// loader, which jest bypasses) and checks what its spans and log lines say.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Controller, Get, Module, Param, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  createLogger,
  HealthModule,
  Metrics,
  MetricsModule,
  NestPinoLogger,
  postgresCheck,
  requestLogging,
} from '@switchboard/observability';
import { serveMetrics } from '@switchboard/service-kit';
import type { SpanRecord } from './fixtures/traced-app.tracing';

const PHONE = '+14155550123';
const lines: string[] = [];
const logger = createLogger({
  service: 'observability-it',
  level: 'debug',
  destination: { write: (line) => void lines.push(line) },
});
const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

let flagUp = true;

@Controller('probe')
class ProbeController {
  @Get(':id')
  get(@Param('id') id: string): { id: string } {
    logger.info({ id, to: PHONE }, 'probe handled');
    return { id };
  }
}

@Module({
  imports: [
    MetricsModule.forRoot({ service: 'observability-it', defaultMetrics: false }),
    HealthModule.forRoot({
      checks: [
        postgresCheck({ query: async () => [{ '?column?': 1 }] }),
        {
          name: 'flag',
          check: async () => {
            if (!flagUp) throw new Error(`flag is down, call ${PHONE}`);
          },
        },
      ],
      gracefulShutdownTimeoutMs: 400,
    }),
  ],
  controllers: [ProbeController],
})
class AppModule {}

describe('observability in a Nest app', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { bufferLogs: true });
    app.useLogger(new NestPinoLogger(logger));
    app.use(requestLogging({ logger, metrics: app.get(Metrics) }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('GET /health/live answers 200 with a request id', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('cache-control')).toContain('no-store');
  });

  it('GET /health/ready answers 200 while every check passes', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, flag: { status: 'up' } },
    });
  });

  it('GET /health/ready answers 503 naming the failing check, its reason redacted', async () => {
    flagUp = false;
    try {
      const response = await fetch(`${base}/health/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body).toMatchObject({
        status: 'error',
        info: { postgres: { status: 'up' } },
        error: { flag: { status: 'down', message: 'flag is down, call +******23' } },
      });
      expect(Object.keys(body.error)).toEqual(['flag']);
    } finally {
      flagUp = true;
    }
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('echoes a caller x-request-id and logs each request once, with the correlation id', async () => {
    const response = await fetch(`${base}/probe/42?to=${encodeURIComponent(PHONE)}`, {
      headers: { 'x-request-id': 'it-request-0001' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('it-request-0001');

    const mine = logs().filter((line) => line.correlation_id === 'it-request-0001');
    expect(mine).toEqual([
      expect.objectContaining({ msg: 'probe handled', id: '42', to: '[redacted]' }),
      expect.objectContaining({
        msg: 'request completed',
        method: 'GET',
        route: '/probe/:id',
        path: '/probe/42',
        status: 200,
      }),
    ]);
    expect(lines.join('')).not.toContain('4155550123');
  });

  it('GET /metrics exposes http_request_duration_seconds by route pattern and status', async () => {
    // Not on the app's public port: on a port of its own (the kit's serveMetrics, METRICS_PORT).
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const scrapes = await serveMetrics(app.get(Metrics), { port: 0, host: '127.0.0.1' });
    const response = await fetch(`${scrapes.url}/metrics`);
    const text = await response.text();
    await scrapes.close();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{service="observability-it",method="GET",route="\/probe\/:id",status_code="200"\} 1/,
    );
    expect(text).toMatch(/route="\/health\/ready",status_code="503"/);
  });

  it("routes Nest's own logs through pino", () => {
    expect(logs()).toContainEqual(
      expect.objectContaining({ context: 'NestApplication', service: 'observability-it' }),
    );
  });

  it('GET /health/live answers 503 once shutdown has begun', async () => {
    // What enableShutdownHooks() does on SIGTERM (the public type hides the signal argument);
    // Terminus then keeps serving for gracefulShutdownTimeoutMs.
    const closing = (app as unknown as { close(signal: string): Promise<void> }).close('SIGTERM');
    // close() reaches the health indicator after a few awaits: ask until it has (a loaded
    // machine may take longer than any fixed delay), while the server still answers.
    let response = await fetch(`${base}/health/live`, { headers: { connection: 'close' } });
    for (let tries = 0; response.status !== 503 && tries < 200; tries++) {
      await new Promise((resolve) => setImmediate(resolve));
      response = await fetch(`${base}/health/live`, { headers: { connection: 'close' } });
    }
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'shutting_down' });
    await closing;
  });
});

describe('tracing in a service process', () => {
  interface Outcome {
    enabled: boolean;
    status: number;
    spans: SpanRecord[];
    logs: Record<string, unknown>[];
  }
  let outcome: Outcome;
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, 'support/run-ts.cjs'), join(__dirname, 'fixtures/traced-app.ts')],
      {
        env: { ...process.env, NODE_ENV: 'test', OTEL_ENABLED: 'true', OTEL_SDK_DISABLED: '' },
        timeout: 30_000,
      },
    );
    outcome = JSON.parse(stdout) as Outcome;
  });

  it('continues the caller trace (W3C traceparent) in a server span named by its route', () => {
    expect(outcome).toMatchObject({ enabled: true, status: 200 });
    const server = outcome.spans.find((span) => span.kind === 1);
    expect(server).toMatchObject({
      name: 'GET /probe/:id',
      traceId: TRACE_ID,
      attributes: { 'http.route': '/probe/:id', 'url.path': '/probe/42', 'url.query': 'REDACTED' },
    });
    expect(JSON.stringify(outcome.spans)).not.toContain('4155550123');
  });

  it('instruments express although Nest, an ES module, imports it', () => {
    expect(outcome.spans).toContainEqual(
      expect.objectContaining({
        traceId: TRACE_ID,
        attributes: expect.objectContaining({ 'express.type': 'request_handler' }),
      }),
    );
  });

  it('puts the trace and span ids on the log lines written during the request', () => {
    const handled = outcome.logs.find((line) => line.msg === 'probe handled');
    expect(handled).toMatchObject({ trace_id: TRACE_ID });
    expect(outcome.spans.map((span) => span.spanId)).toContain(handled?.span_id);
    expect(handled?.correlation_id).toEqual(expect.any(String));
  });
});
