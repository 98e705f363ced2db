import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type Metric,
} from 'prom-client';

export interface MetricsOptions {
  /** Set as the `service` label of every series. */
  service: string;
  /** Process metrics (CPU, memory, event loop lag, GC); on by default. */
  defaultMetrics?: boolean;
}

type MetricClass = typeof Counter | typeof Gauge | typeof Histogram;

/** Seconds: covers fast cache hits to slow carrier calls. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus registry and the way to declare metrics in it. Declaring is
 * idempotent — the same name returns the same metric, so two providers can share one —
 * and declaring a name again with another type or other labels throws.
 */
export class Metrics {
  readonly registry = new Registry();
  /** Fed by `requestLogging`: labels `method`, `route` (the pattern), `status_code`. */
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(options: MetricsOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = this.histogram(
      'http_request_duration_seconds',
      'Duration of HTTP requests, by route pattern and status code.',
      ['method', 'route', 'status_code'],
      HTTP_DURATION_BUCKETS,
    );
  }

  counter<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): Counter<L> {
    return this.declare(
      Counter,
      name,
      labelNames,
      () => new Counter({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
  ): Gauge<L> {
    return this.declare(
      Gauge,
      name,
      labelNames,
      () => new Gauge({ name, help, labelNames, registers: [this.registry] }),
    );
  }

  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets?: number[],
  ): Histogram<L> {
    return this.declare(
      Histogram,
      name,
      labelNames,
      () =>
        new Histogram({
          name,
          help,
          labelNames,
          registers: [this.registry],
          ...(buckets ? { buckets } : {}),
        }),
    );
  }

  /** The text exposition format, as served on `GET /metrics`. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private declare<M extends Metric<string>>(
    type: MetricClass,
    name: string,
    labelNames: readonly string[],
    create: () => M,
  ): M {
    const existing = this.registry.getSingleMetric(name);
    if (existing === undefined) return create();
    const existingLabels = (existing as unknown as { labelNames: string[] }).labelNames;
    if (!(existing instanceof type) || existingLabels.join() !== [...labelNames].join()) {
      throw new Error(`metric ${name} is already declared with another type or other labels`);
    }
    return existing as unknown as M;
  }
}
