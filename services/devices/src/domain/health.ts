/**
 * Device health: a score from 0 to 100 that follows recent outcomes (an exponential moving
 * average: each outcome weighs `alpha`), and a count of consecutive failures. A message counts
 * as a success when the phone reports it SENT, a failure when it reports FAILED, and a timeout
 * when the phone took it but said nothing for too long (weighed like a failure). A device is
 * quarantined after `maxConsecutiveFailures` failures in a row, or when its score falls below
 * `minScore` once it has at least `minOutcomes` outcomes (so one early failure can't do it).
 */

export type Outcome = 'success' | 'failure' | 'timeout';

export interface Health {
  score: number;
  consecutiveFailures: number;
  outcomes: number;
}

export interface HealthRules {
  alpha: number;
  maxConsecutiveFailures: number;
  minScore: number;
  minOutcomes: number;
}

export const DEFAULT_HEALTH_RULES: HealthRules = {
  alpha: 0.1,
  maxConsecutiveFailures: 5,
  minScore: 20,
  minOutcomes: 10,
};

export const INITIAL_HEALTH: Health = { score: 100, consecutiveFailures: 0, outcomes: 0 };

export interface HealthUpdate {
  health: Health;
  /** Set when this outcome should quarantine the device: why, in a few words. */
  quarantineReason: string | null;
}

export function recordOutcome(
  health: Health,
  outcome: Outcome,
  rules: HealthRules = DEFAULT_HEALTH_RULES,
): HealthUpdate {
  const good = outcome === 'success';
  const score =
    Math.round((health.score * (1 - rules.alpha) + (good ? 100 : 0) * rules.alpha) * 10) / 10;
  const next: Health = {
    score,
    consecutiveFailures: good ? 0 : health.consecutiveFailures + 1,
    outcomes: health.outcomes + 1,
  };
  let quarantineReason: string | null = null;
  if (next.consecutiveFailures >= rules.maxConsecutiveFailures) {
    quarantineReason = `${next.consecutiveFailures} consecutive failures`;
  } else if (next.outcomes >= rules.minOutcomes && next.score < rules.minScore) {
    quarantineReason = `health score ${next.score} below ${rules.minScore}`;
  }
  return { health: next, quarantineReason };
}

/**
 * Several outcomes in the order they happened (one state report's): the health after the last,
 * and the first quarantine reason any of them raised.
 */
export function recordOutcomes(
  health: Health,
  outcomes: readonly Outcome[],
  rules: HealthRules = DEFAULT_HEALTH_RULES,
): HealthUpdate {
  let update: HealthUpdate = { health, quarantineReason: null };
  for (const outcome of outcomes) {
    const next = recordOutcome(update.health, outcome, rules);
    update = {
      health: next.health,
      quarantineReason: update.quarantineReason ?? next.quarantineReason,
    };
  }
  return update;
}
