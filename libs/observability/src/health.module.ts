import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { ReadinessCheck } from './health';
import { HEALTH_OPTIONS, HealthController, type ResolvedHealthOptions } from './health.controller';

export interface HealthModuleOptions {
  /** Run by `GET /health/ready`; none means ready as soon as the process is up. */
  checks?: readonly ReadinessCheck[];
  /** Per check; a check still running after this is reported down. Default 3000. */
  timeoutMs?: number;
  /**
   * On SIGTERM, keep serving for this long while `/health/*` answer 503, so the load balancer
   * stops sending traffic before the server closes (needs `app.enableShutdownHooks()`).
   */
  gracefulShutdownTimeoutMs?: number;
}

/** `HealthModule.forRoot({ checks: [postgresCheck(dataSource)] })`: `/health/live` and `/health/ready`. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    const resolved: ResolvedHealthOptions = {
      checks: options.checks ?? [],
      timeoutMs: options.timeoutMs ?? 3_000,
    };
    return {
      module: HealthModule,
      imports: [
        TerminusModule.forRoot({ gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs }),
      ],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: resolved }],
    };
  }
}
