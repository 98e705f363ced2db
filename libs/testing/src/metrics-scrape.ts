import type { INestApplication } from '@nestjs/common';
import { serveAppMetrics } from '@switchboard/service-kit';

/**
 * What Prometheus would scrape from a service app: its metrics served as bootstrapService
 * serves them (a port of their own, here a free one), fetched over HTTP once.
 */
export async function scrapeMetrics(app: INestApplication): Promise<string> {
  const server = await serveAppMetrics(app, { port: 0, host: '127.0.0.1' });
  try {
    const response = await fetch(`${server.url}/metrics`);
    if (!response.ok) throw new Error(`metrics answered ${response.status}`);
    return await response.text();
  } finally {
    await server.close();
  }
}
