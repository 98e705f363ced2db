import type { InjectionToken, Provider, Type } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RetentionPolicyConsumer } from './retention-policy.consumer';
import type { RetentionCutoffs } from './retention-periods';
import type { RetentionStep } from './retention-runner';
import {
  RETENTION_OPTIONS,
  RETENTION_STEPS,
  retentionOptions,
  retentionProviders,
} from './retention.job';

/** A provider that lists some of a service's retention steps. */
export interface RetentionStepSource {
  all(): RetentionStep[];
}

export interface ServiceRetentionOptions {
  /** The service's name (reports, the job's lease). */
  service: string;
  /** The token of the service's config (its RETENTION_* and DATABASE_URL variables). */
  config: InjectionToken;
  /** Providers of steps, in order (each provided by the module or one it imports); none: event tables only. */
  steps?: Type<RetentionStepSource>[];
  /** Keep the local projection of compliance.policy.v1 (default true; not needed without steps). */
  policyConsumer?: boolean;
}

/**
 * The providers of a service's retention (libs/retention): the job, its options from the
 * config, the policy projection and the steps of the given sources, in order.
 */
export function serviceRetentionProviders(options: ServiceRetentionOptions): Provider[] {
  const sources = options.steps ?? [];
  return [
    ...retentionProviders,
    ...(options.policyConsumer === false ? [] : [RetentionPolicyConsumer]),
    {
      provide: RETENTION_OPTIONS,
      useFactory: (config: Parameters<typeof retentionOptions>[1]) =>
        retentionOptions(options.service, config),
      inject: [options.config],
    },
    {
      provide: RETENTION_STEPS,
      useFactory: (...found: RetentionStepSource[]) => found.flatMap((source) => source.all()),
      inject: sources,
    },
  ];
}

/**
 * A step whose batch changes at most `limit` rows and reports how many under one counter;
 * a full batch means another follows.
 */
export function countedStep(
  job: string,
  counter: string,
  run: (
    tx: EntityManager,
    cutoffs: RetentionCutoffs,
    limit: number,
    orgId: string,
  ) => Promise<number>,
): RetentionStep {
  return {
    job,
    batch: async (tx, cutoffs, limit, orgId) => {
      const n = await run(tx, cutoffs, limit, orgId);
      return { counts: { [counter]: n }, more: n === limit };
    },
  };
}
