/**
 * Android-aware pacing: what a device may be handed through `GET /message`.
 *
 * AOSP's SmsUsageMonitor lets one app send 30 SMS (segments: every part of a multipart message
 * counts) per rolling minute; beyond that Android asks the user or refuses. So the server hands
 * a device at most `rate` segments per rolling window (default 60 s) and, optionally, at most
 * `dailyLimit` segments per SIM per rolling 24 hours. A handout is counted when the message
 * leaves the server (the phone may send it at once), never again when re-sent unchanged.
 */

export const ANDROID_SEGMENTS_PER_MINUTE = 30;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A message handed to the device recently. `at` in epoch milliseconds. */
export interface Handout {
  at: number;
  segments: number;
  /** SIM slot (1-based); null when the phone chooses (counted as the default SIM, 0). */
  simNumber: number | null;
}

/** A message waiting in the device's queue, in the order it should go out. */
export interface Queued {
  id: string;
  segments: number;
  simNumber: number | null;
}

export interface PacingRules {
  /** Segments per window. */
  rate: number;
  windowMs: number;
  /** Segments per SIM per rolling 24 h; null for no cap. */
  dailyLimit: number | null;
}

export interface HandoutPlan {
  /** Ids to hand out now, in queue order. */
  handOut: string[];
  /** Segments the window still allows after this handout. */
  remaining: number;
  /**
   * When the first message held back by the rate fits (epoch ms), so the device can be told to
   * pull again; null when nothing waits for the rate (empty queue, or held back by daily caps).
   */
  nextAt: number | null;
}

const simKey = (simNumber: number | null) => simNumber ?? 0;

/** Segments handed out in the window ending at `now`. */
export function windowUsage(handouts: readonly Handout[], now: number, windowMs: number): number {
  let used = 0;
  for (const h of handouts) if (h.at > now - windowMs && h.at <= now) used += h.segments;
  return used;
}

/** Segments per SIM handed out in the last 24 h. */
export function dailyUsage(handouts: readonly Handout[], now: number): Map<number, number> {
  const used = new Map<number, number>();
  for (const h of handouts) {
    if (h.at > now - DAY_MS && h.at <= now) {
      used.set(simKey(h.simNumber), (used.get(simKey(h.simNumber)) ?? 0) + h.segments);
    }
  }
  return used;
}

/**
 * The earliest time at which `needed` segments fit in the window, given the handouts so far:
 * each handout stops counting `windowMs` after it was made. Null if `needed` exceeds the rate.
 */
export function nextFitAt(
  handouts: readonly Handout[],
  needed: number,
  now: number,
  rules: Pick<PacingRules, 'rate' | 'windowMs'>,
): number | null {
  if (needed > rules.rate) return null;
  const inWindow = handouts
    .filter((h) => h.at > now - rules.windowMs && h.at <= now)
    .sort((a, b) => a.at - b.at);
  let used = inWindow.reduce((sum, h) => sum + h.segments, 0);
  if (used + needed <= rules.rate) return now;
  for (const h of inWindow) {
    used -= h.segments;
    if (used + needed <= rules.rate) return h.at + rules.windowMs;
  }
  return null; // unreachable: an empty window always fits `needed` ≤ rate
}

/**
 * Which queued messages to hand out now. Goes through the queue in order and stops at the first
 * message the rate can't take (later, smaller messages do not overtake it: order is kept and a
 * long message can't starve). A message whose SIM has reached its daily cap is skipped: it waits
 * without blocking messages for other SIMs.
 */
export function planHandout(
  queue: readonly Queued[],
  recent: readonly Handout[],
  now: number,
  rules: PacingRules,
): HandoutPlan {
  let remaining = Math.max(0, rules.rate - windowUsage(recent, now, rules.windowMs));
  const daily = dailyUsage(recent, now);
  const handOut: string[] = [];
  const planned: Handout[] = [...recent];
  for (const message of queue) {
    if (rules.dailyLimit !== null) {
      const used = daily.get(simKey(message.simNumber)) ?? 0;
      if (used + message.segments > rules.dailyLimit) continue;
    }
    if (message.segments > remaining) {
      return { handOut, remaining, nextAt: nextFitAt(planned, message.segments, now, rules) };
    }
    handOut.push(message.id);
    remaining -= message.segments;
    planned.push({ at: now, segments: message.segments, simNumber: message.simNumber });
    daily.set(
      simKey(message.simNumber),
      (daily.get(simKey(message.simNumber)) ?? 0) + message.segments,
    );
  }
  return { handOut, remaining, nextAt: null };
}
