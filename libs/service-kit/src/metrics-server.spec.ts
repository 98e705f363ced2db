import { serveMetrics, serveMetricsFor } from './metrics-server';

describe('serveMetrics', () => {
  it('serves GET /metrics only, on its own port', async () => {
    const server = await serveMetrics(
      { contentType: 'text/plain; version=0.0.4', exposition: async () => 'up 1\n' },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const scrape = await fetch(`${server.url}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4');
      expect(await scrape.text()).toBe('up 1\n');
      expect((await fetch(`${server.url}/`)).status).toBe(404);
      expect((await fetch(`${server.url}/graphql`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('listens on METRICS_PORT, else PORT + 5000, else (out of range or busy) any free port', async () => {
    const metrics = { contentType: 'text/plain', exposition: async () => '' };
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => void warnings.push(args) };
    const taken = await serveMetrics(metrics, { port: 0, host: '0.0.0.0' });
    const servers = [taken];
    try {
      const explicit = await serveMetricsFor(metrics, { PORT: 1, METRICS_PORT: 0 }, logger);
      servers.push(explicit);
      expect(explicit.port).toBeGreaterThan(0);
      // An explicit port that is busy stops the start.
      await expect(
        serveMetricsFor(metrics, { PORT: 1, METRICS_PORT: taken.port }, logger),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(warnings).toEqual([]);
      // The default (PORT + 5000) busy, or out of range: any free port, with a warning.
      const busy = await serveMetricsFor(metrics, { PORT: taken.port - 5000 }, logger);
      const high = await serveMetricsFor(metrics, { PORT: 61_000 }, logger);
      servers.push(busy, high);
      expect(busy.port).not.toBe(taken.port);
      expect(warnings).toHaveLength(2);
    } finally {
      for (const server of servers) await server.close();
    }
  });
});
