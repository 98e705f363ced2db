import {
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { ReadinessCheck } from './health';
import { HEALTH_OPTIONS, HealthController, type ResolvedHealthOptions } from './health.controller';

export interface HealthChecksOptions {
  /** Run by `GET /health/ready`; none means ready as soon as the process is up. */
  checks?: readonly ReadinessCheck[];
  /** Per check; a check still running after this is reported down. Default 3000. */
  timeoutMs?: number;
  /**
   * Whether `/health/ready` says why a check is down (its redacted error message). Default
   * true; false answers only `status` per check — the reason is in the log line
   * (`Health Check has failed!`) instead of in an unauthenticated answer.
   */
  revealReasons?: boolean;
}

export interface HealthModuleOptions extends HealthChecksOptions {
  /**
   * On SIGTERM, keep serving for this long while `/health/*` answer 503, so the load balancer
   * stops sending traffic before the server closes (needs `app.enableShutdownHooks()`).
   */
  gracefulShutdownTimeoutMs?: number;
}

export interface HealthModuleAsyncOptions {
  /** Providers the factory injects (e.g. the probes of the checks), made in this module. */
  providers?: Provider[];
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => HealthChecksOptions | Promise<HealthChecksOptions>;
  gracefulShutdownTimeoutMs?: number;
}

function resolve(options: HealthChecksOptions): ResolvedHealthOptions {
  return {
    checks: options.checks ?? [],
    timeoutMs: options.timeoutMs ?? 3_000,
    revealReasons: options.revealReasons ?? true,
  };
}

/** `HealthModule.forRoot({ checks: [postgresCheck(dataSource)] })`: `/health/live` and `/health/ready`. */
@Module({})
export class HealthModule {
  static forRoot(options: HealthModuleOptions = {}): DynamicModule {
    return {
      module: HealthModule,
      imports: [
        TerminusModule.forRoot({ gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs }),
      ],
      controllers: [HealthController],
      providers: [{ provide: HEALTH_OPTIONS, useValue: resolve(options) }],
    };
  }

  /** The checks made by a factory, from injected providers (a DataSource, a Kafka client...). */
  static forRootAsync(options: HealthModuleAsyncOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [
        TerminusModule.forRoot({ gracefulShutdownTimeoutMs: options.gracefulShutdownTimeoutMs }),
        ...(options.imports ?? []),
      ],
      controllers: [HealthController],
      providers: [
        ...(options.providers ?? []),
        {
          provide: HEALTH_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => resolve(await options.useFactory(...args)),
        },
      ],
    };
  }
}
