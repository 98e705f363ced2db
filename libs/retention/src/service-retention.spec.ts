import type { FactoryProvider, Provider } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RetentionPolicyConsumer } from './retention-policy.consumer';
import type { RetentionCutoffs } from './retention-periods';
import type { RetentionStep } from './retention-runner';
import { countedStep, serviceRetentionProviders } from './service-retention';
import { RETENTION_OPTIONS, RETENTION_STEPS } from './retention.job';

const CONFIG = Symbol('CONFIG');
const step = (job: string): RetentionStep => countedStep(job, 'n', async () => 0);
class BodySteps {
  all = () => [step('bodies')];
}
class LogSteps {
  all = () => [step('logs'), step('requests')];
}

const factory = (providers: Provider[], token: symbol) =>
  providers.find((p) => (p as FactoryProvider).provide === token) as FactoryProvider;

describe('serviceRetentionProviders', () => {
  it("lists the sources' steps in order, and the options from the config", () => {
    const providers = serviceRetentionProviders({
      service: 'messaging',
      config: CONFIG,
      steps: [BodySteps, LogSteps],
    });
    expect(providers).toContain(RetentionPolicyConsumer);
    const steps = factory(providers, RETENTION_STEPS);
    expect(steps.inject).toEqual([BodySteps, LogSteps]);
    const jobs = (steps.useFactory(new BodySteps(), new LogSteps()) as RetentionStep[]).map(
      (s) => s.job,
    );
    expect(jobs).toEqual(['bodies', 'logs', 'requests']);
    const options = factory(providers, RETENTION_OPTIONS);
    expect(options.inject).toEqual([CONFIG]);
    expect(
      options.useFactory({
        DATABASE_URL: 'postgres://x@db/messaging',
        RETENTION_ENABLED: true,
        RETENTION_INTERVAL_MS: 1000,
        RETENTION_BATCH_SIZE: 10,
      }),
    ).toMatchObject({ service: 'messaging' });
  });

  it('has no steps and, when asked, no policy projection (event tables only)', () => {
    const providers = serviceRetentionProviders({
      service: 'accounts',
      config: CONFIG,
      policyConsumer: false,
    });
    expect(providers).not.toContain(RetentionPolicyConsumer);
    expect(factory(providers, RETENTION_STEPS).useFactory()).toEqual([]);
  });
});

describe('countedStep', () => {
  it('reports the count under its counter; a full batch asks for another', async () => {
    const seen: unknown[] = [];
    const s = countedStep('bodies', 'bodies_redacted', async (_tx, cut, limit, orgId) => {
      seen.push([cut.bodiesBefore, limit, orgId]);
      return limit === 5 ? 5 : 2;
    });
    const tx = {} as EntityManager;
    const cut = { bodiesBefore: new Date(0) } as RetentionCutoffs;
    expect(s.job).toBe('bodies');
    expect(await s.batch(tx, cut, 5, 'org')).toEqual({
      counts: { bodies_redacted: 5 },
      more: true,
    });
    expect(await s.batch(tx, cut, 10, 'org')).toEqual({
      counts: { bodies_redacted: 2 },
      more: false,
    });
    expect(seen).toEqual([
      [new Date(0), 5, 'org'],
      [new Date(0), 10, 'org'],
    ]);
  });
});
