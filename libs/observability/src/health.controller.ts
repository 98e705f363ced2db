import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { ReadinessCheck } from './health';
import { redactString } from './redaction';
import { Public } from '@switchboard/auth';

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface ResolvedHealthOptions {
  checks: readonly ReadinessCheck[];
  timeoutMs: number;
  /** false: each check answers its `status` only. */
  revealReasons: boolean;
}

interface StatusSettable {
  status(code: number): unknown;
}

/**
 * `GET /health/live`: 200 while the process runs, 503 once it is shutting down.
 * `GET /health/ready`: runs every readiness check, 503 naming the failing ones under `error`.
 * Answers are written here rather than thrown, so an app-wide exception filter can't reshape
 * them into something a probe or an operator can't read.
 */
// Probes and scrapes need no token: a global auth guard lets them through.
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(HEALTH_OPTIONS) private readonly options: ResolvedHealthOptions,
  ) {}

  @Get('live')
  @HealthCheck()
  live(
    @Res({ passthrough: true }) res: StatusSettable,
  ): Promise<HealthCheckResult | string | object> {
    return this.run([], res);
  }

  @Get('ready')
  @HealthCheck()
  ready(
    @Res({ passthrough: true }) res: StatusSettable,
  ): Promise<HealthCheckResult | string | object> {
    return this.run(
      this.options.checks.map(
        ({ name, check }) =>
          () =>
            this.indicators
              .check(name)
              .attempt(async ({ signal }) => {
                try {
                  await check(signal);
                } catch (error) {
                  // The answer is unauthenticated: no secret or address may leak through it.
                  throw new Error(
                    redactString(error instanceof Error ? error.message : String(error)),
                  );
                }
              })
              .withTimeout(this.options.timeoutMs),
      ),
      res,
    );
  }

  private async run(
    indicators: HealthIndicatorFunction[],
    res: StatusSettable,
  ): Promise<HealthCheckResult | string | object> {
    try {
      return this.publicAnswer(await this.health.check(indicators));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return this.publicAnswer(error.getResponse());
    }
  }

  /** Without revealReasons, every check says `up` or `down` and nothing else. */
  private publicAnswer<T>(answer: T): T | object {
    if (this.options.revealReasons || typeof answer !== 'object' || answer === null) return answer;
    const statusOnly = (checks: unknown) =>
      checks && typeof checks === 'object'
        ? Object.fromEntries(
            Object.entries(checks).map(([name, check]) => [
              name,
              { status: (check as { status?: unknown }).status },
            ]),
          )
        : checks;
    const result = answer as Record<string, unknown>;
    return {
      ...result,
      info: statusOnly(result.info),
      error: statusOnly(result.error),
      details: statusOnly(result.details),
    };
  }
}
