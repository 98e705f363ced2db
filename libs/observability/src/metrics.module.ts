import { Module, type DynamicModule } from '@nestjs/common';
import { Metrics, type MetricsOptions } from './metrics';
import { MetricsController } from './metrics.controller';

/**
 * `MetricsModule.forRoot({ service })`: a global `Metrics` (inject it to declare metrics)
 * and `GET /metrics` for Prometheus.
 */
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions | { metrics: Metrics }): DynamicModule {
    const metrics = 'metrics' in options ? options.metrics : new Metrics(options);
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: Metrics, useValue: metrics }],
      exports: [Metrics],
    };
  }
}
