import { Metrics } from './metrics';

describe('Metrics', () => {
  it('shows counter increments in the exposition text, with the service label', async () => {
    const metrics = new Metrics({ service: 'messaging', defaultMetrics: false });
    const sent = metrics.counter('sms_sent_total', 'Messages handed to a carrier.', ['carrier']);
    sent.inc({ carrier: 'twilio' });
    sent.inc({ carrier: 'twilio' }, 2);
    const text = await metrics.exposition();
    expect(text).toContain('# HELP sms_sent_total Messages handed to a carrier.');
    expect(text).toContain('# TYPE sms_sent_total counter');
    expect(text).toContain('sms_sent_total{carrier="twilio",service="messaging"} 3');
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it('returns the same metric for the same name, and refuses a conflicting one', () => {
    const metrics = new Metrics({ service: 'billing', defaultMetrics: false });
    const first = metrics.gauge('queue_depth', 'Pending jobs.', ['queue']);
    expect(metrics.gauge('queue_depth', 'Pending jobs.', ['queue'])).toBe(first);
    expect(() => metrics.counter('queue_depth', 'x')).toThrow(/already declared/);
    expect(() => metrics.gauge('queue_depth', 'x', ['other'])).toThrow(/already declared/);
  });

  it('declares http_request_duration_seconds and histograms with buckets', async () => {
    const metrics = new Metrics({ service: 'devices', defaultMetrics: false });
    metrics.httpRequestDuration.observe(
      { method: 'GET', route: '/health/live', status_code: '200' },
      0.003,
    );
    const h = metrics.histogram('carrier_call_seconds', 'Carrier API latency.', [], [0.1, 1]);
    h.observe(0.5);
    const text = await metrics.exposition();
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.005",service="devices",method="GET",route="/health/live",status_code="200"} 1',
    );
    expect(text).toContain('carrier_call_seconds_bucket{le="1",service="devices"} 1');
    expect(
      metrics.histogram('http_request_duration_seconds', '', ['method', 'route', 'status_code']),
    ).toBe(metrics.httpRequestDuration);
  });

  it('collects process metrics by default, in a registry of its own', async () => {
    const a = new Metrics({ service: 'a' });
    const b = new Metrics({ service: 'b', defaultMetrics: false });
    expect(await a.exposition()).toContain('process_cpu_user_seconds_total');
    expect(await b.exposition()).not.toContain('process_cpu_user_seconds_total');
  });
});
