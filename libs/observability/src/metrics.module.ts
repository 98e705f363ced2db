import { Module, type DynamicModule } from '@nestjs/common';
import { Metrics, type MetricsOptions } from './metrics';

/**
 * `MetricsModule.forRoot({ service })`: a global `Metrics` (inject it to declare metrics).
 * It serves nothing on the app's public port: `GET /metrics` is on a port of its own
 * (METRICS_PORT, the service kit's serveMetrics), for the scraper only.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions | { metrics: Metrics }): DynamicModule {
    const metrics = 'metrics' in options ? options.metrics : new Metrics(options);
    return {
      module: MetricsModule,
      global: true,
      providers: [{ provide: Metrics, useValue: metrics }],
      exports: [Metrics],
    };
  }
}
