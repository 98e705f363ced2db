import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Metrics, type Logger } from '@switchboard/observability';
import { METRICS_PORT_OFFSET } from './config';

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one given for 0). */
  port: number;
  /** `http://host:port`: scrape `${url}/metrics`. */
  url: string;
  close(): Promise<void>;
}

/**
 * The metrics endpoint on a port of its own (METRICS_PORT), never on the public one: Prometheus
 * (the chart's ServiceMonitor) scrapes `GET /metrics` there; everything else is 404. A tiny
 * node:http server, so scraping never goes through the app's middleware, guards or logs.
 */
export async function serveMetrics(
  metrics: Pick<Metrics, 'contentType' | 'exposition'>,
  options: { port: number; host?: string },
): Promise<MetricsServer> {
  const host = options.host ?? '0.0.0.0';
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.exposition().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface MetricsPortConfig {
  PORT: number;
  /** Explicit: the port, or the start fails. Unset: PORT + METRICS_PORT_OFFSET if free. */
  METRICS_PORT?: number;
}

/**
 * serveMetrics on the config's port: METRICS_PORT when set (a busy port stops the start), else
 * PORT + 5000 — or, when that is out of range or busy (a test's random PORT), any free port,
 * with a warning naming it.
 */
export async function serveMetricsFor(
  metrics: Pick<Metrics, 'contentType' | 'exposition'>,
  config: MetricsPortConfig,
  logger: Pick<Logger, 'warn'>,
): Promise<MetricsServer> {
  if (config.METRICS_PORT !== undefined)
    return serveMetrics(metrics, { port: config.METRICS_PORT });
  const preferred = config.PORT + METRICS_PORT_OFFSET;
  if (preferred <= 65535) {
    try {
      return await serveMetrics(metrics, { port: preferred });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  const server = await serveMetrics(metrics, { port: 0 });
  logger.warn(
    { metricsPort: server.port },
    `metrics port ${preferred} unavailable; serving metrics on ${server.port} (set METRICS_PORT)`,
  );
  return server;
}

/**
 * serveMetrics for a service app (its `Metrics`, from MetricsModule), closed when the app's
 * HTTP server closes. bootstrapService calls it with the config (serveMetricsFor); a test with
 * port 0.
 */
export async function serveAppMetrics(
  app: INestApplication,
  options:
    { port: number; host?: string } | { config: MetricsPortConfig; logger: Pick<Logger, 'warn'> },
): Promise<MetricsServer> {
  const metrics = app.get(Metrics, { strict: false });
  const server =
    'config' in options
      ? await serveMetricsFor(metrics, options.config, options.logger)
      : await serveMetrics(metrics, options);
  (app.getHttpServer() as Server).once('close', () => void server.close());
  return server;
}
