/** A campaign's life: DRAFT → SCHEDULED/RUNNING ⇄ PAUSED → COMPLETED, or CANCELED. */
export const CAMPAIGN_STATUSES = [
  'DRAFT',
  'SCHEDULED',
  'RUNNING',
  'PAUSED',
  'COMPLETED',
  'CANCELED',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel';

/**
 * The status after `action`, or undefined when the action does not apply. `start` schedules
 * when the start time is ahead, else runs; `resume` goes back to RUNNING (the runner holds a
 * SCHEDULED campaign until its time). A final campaign never changes.
 */
export function campaignTransition(
  status: CampaignStatus,
  action: CampaignAction,
  startsLater: boolean,
): CampaignStatus | undefined {
  switch (action) {
    case 'start':
      return status === 'DRAFT' ? (startsLater ? 'SCHEDULED' : 'RUNNING') : undefined;
    case 'pause':
      return status === 'RUNNING' || status === 'SCHEDULED' ? 'PAUSED' : undefined;
    case 'resume':
      return status === 'PAUSED' ? 'RUNNING' : undefined;
    case 'cancel':
      return status === 'COMPLETED' || status === 'CANCELED' ? undefined : 'CANCELED';
  }
}

/**
 * The campaign's pacing: a token bucket of `ratePerMinute` tokens a minute holding at most
 * one run's worth (`burst`), refilled by the time passed. Returns how many recipients may be
 * sent now and the tokens left after them.
 */
export function campaignBudget(
  bucket: { tokens: number; at: number },
  now: number,
  ratePerMinute: number,
  burst: number,
): { allowed: number; tokens: number } {
  const refilled = Math.min(
    burst,
    bucket.tokens + (Math.max(0, now - bucket.at) * ratePerMinute) / 60_000,
  );
  const allowed = Math.max(0, Math.floor(refilled));
  return { allowed, tokens: refilled - allowed };
}

/**
 * The most of its rate a campaign's bucket holds: this much time's worth (or two poll intervals,
 * if longer). A runner step that comes late — a loaded machine, a slow batch, the poll's own
 * jitter — still gets every token the time since the last step earned, so the achieved rate
 * stays at the planned one; a longer gap (a dead runner's lease) does not flood the routes.
 * Two poll intervals alone lost tokens whenever a step cycle took longer (measured: 50 per ~3 s
 * step cycle at a planned 25 a second, fidelity 0.61).
 */
export const PACING_HORIZON_MS = 10_000;

/** The bucket's size for `ratePerMinute` (at least one message, at most `stepMax`). */
export function campaignBurst(
  ratePerMinute: number,
  pollIntervalMs: number,
  stepMax: number,
): number {
  const horizon = Math.max(PACING_HORIZON_MS, 2 * pollIntervalMs);
  return Math.min(stepMax, Math.max(1, Math.ceil((ratePerMinute * horizon) / 60_000)));
}

/** Seconds to send `recipients` at `ratePerMinute`. */
export function estimatedSeconds(recipients: number, ratePerMinute: number): number {
  return ratePerMinute > 0 ? Math.ceil((recipients / ratePerMinute) * 60) : 0;
}

/** The idempotency key of a campaign's message to a contact: a restart never sends twice. */
export function campaignMessageKey(campaignId: string, contactId: string): string {
  return `campaign:${campaignId}:${contactId}`;
}

/** The progress counters moved by message lifecycle events. */
export type CampaignCounter = 'sent' | 'delivered' | 'failed' | 'expired';

/** The counter a lifecycle event of a campaign message moves (kind as in MessageEventKind). */
export function campaignCounterOf(kind: string): CampaignCounter | undefined {
  switch (kind) {
    case 'SENT':
      return 'sent';
    case 'DELIVERED':
      return 'delivered';
    case 'FAILED':
      return 'failed';
    case 'EXPIRED':
      return 'expired';
    default:
      return undefined;
  }
}

/** Android lets one app send 30 SMS segments a minute (SMSGate's limit, and the fleet's pacing). */
export const PHONE_SEGMENTS_PER_MINUTE = 30;

/**
 * The rate a campaign runs at: what it asked for, capped by what the organization's online
 * phones can send (30 segments a minute each, `segmentsPerMessage` each). With no phone online
 * the cap does not apply (carrier routes, or messages wait in the pool).
 */
export function effectiveRate(
  requestedPerMinute: number,
  onlinePhones: number,
  segmentsPerMessage: number,
  phoneSegmentsPerMinute = PHONE_SEGMENTS_PER_MINUTE,
): number {
  if (onlinePhones <= 0) return requestedPerMinute;
  const capacity = Math.floor(
    (onlinePhones * phoneSegmentsPerMinute) / Math.max(1, segmentsPerMessage),
  );
  return Math.max(1, Math.min(requestedPerMinute, capacity));
}

/** One of the organization's routes as the campaign's capacity sees it. */
export interface CapacityRoute {
  /** The route's id (none: the implicit device pool of an organization without routes). */
  id?: string;
  kind: 'DEVICE_POOL' | 'TWILIO' | 'TELNYX';
  enabled: boolean;
  /** A carrier route's SMS-capable sender numbers (0 for the device pool). */
  numbers: number;
}

/**
 * A campaign's sender as its capacity sees it: the route it chose, whether it may fall over to
 * the others, and — when it chose a number (`from`) — that one number: one SIM of the pool
 * (`online`: its phone is online now) or one number of the carrier account.
 */
export interface CapacitySender {
  routeId: string;
  fallback: boolean;
  from: { online: boolean } | null;
}

export interface PlannedRate {
  /** Messages a minute the campaign is paced at. */
  ratePerMinute: number;
  /** What set it: the campaign's own rate, the online phones, or the carrier's throughput. */
  limitedBy: 'REQUESTED' | 'PHONES' | 'CARRIER';
}

interface RouteCapacity {
  route: CapacityRoute;
  /** Segments a minute it can send now (0: it cannot send now). */
  segmentsPerMinute: number;
}

/**
 * The routes a campaign's messages may take, in the router's order, with what each can send:
 * the enabled routes by priority (none configured: the implicit device pool); with a sender its
 * route first, and alone unless `fallback`. The device pool sends online phones ×
 * `phoneSegmentsPerMinute` (one SIM when the sender chose its number); a carrier route its
 * numbers (one when chosen) × `carrierSegmentsPerSecond` × 60.
 */
function routeCapacities(
  routes: readonly CapacityRoute[],
  onlinePhones: number,
  limits: { phoneSegmentsPerMinute: number; carrierSegmentsPerSecond: number },
  sender: CapacitySender | null,
): RouteCapacity[] {
  const enabled: CapacityRoute[] = routes.length
    ? routes.filter((r) => r.enabled)
    : [{ kind: 'DEVICE_POOL', enabled: true, numbers: 0 }];
  let ordered = enabled;
  if (sender) {
    const pinned = enabled.find((r) => r.id === sender.routeId);
    const others = sender.fallback ? enabled.filter((r) => r !== pinned) : [];
    ordered = pinned ? [pinned, ...others] : others;
  }
  return ordered.map((route) => {
    const one = sender?.from && route.id === sender.routeId ? sender.from : null;
    const segmentsPerMinute =
      route.kind === 'DEVICE_POOL'
        ? (one ? (one.online ? 1 : 0) : onlinePhones) * limits.phoneSegmentsPerMinute
        : (one ? 1 : route.numbers) * limits.carrierSegmentsPerSecond * 60;
    return { route, segmentsPerMinute };
  });
}

/**
 * The rate a campaign is paced at (its planned rate): the requested rate, capped by the route its
 * messages take — the first enabled route by priority that can send now, as the router picks it
 * (no routes configured: the implicit device pool; a sender: its route, see routeCapacities):
 * - the device pool: online phones × `phoneSegmentsPerMinute` (Android's 30) ÷ the template's
 *   segments; a pool with no phone online is skipped (its messages would wait or fail over);
 * - a carrier route: its account's SMS numbers × `carrierSegmentsPerSecond` (a long code's
 *   throughput, Twilio's 1 MPS: segments a second per number) × 60 ÷ segments; an account with
 *   no number is skipped.
 * Nothing can send: no cap (the messages wait in the pool, the router decides).
 */
export function plannedRate(
  requestedPerMinute: number,
  routes: readonly CapacityRoute[],
  onlinePhones: number,
  segmentsPerMessage: number,
  limits: { phoneSegmentsPerMinute: number; carrierSegmentsPerSecond: number },
  sender: CapacitySender | null = null,
): PlannedRate {
  const segments = Math.max(1, segmentsPerMessage);
  for (const { route, segmentsPerMinute } of routeCapacities(
    routes,
    onlinePhones,
    limits,
    sender,
  )) {
    const perMinute = segmentsPerMinute / segments;
    if (perMinute <= 0) continue;
    const capacity = Math.max(1, Math.floor(perMinute));
    return capacity < requestedPerMinute
      ? { ratePerMinute: capacity, limitedBy: route.kind === 'DEVICE_POOL' ? 'PHONES' : 'CARRIER' }
      : { ratePerMinute: requestedPerMinute, limitedBy: 'REQUESTED' };
  }
  return { ratePerMinute: requestedPerMinute, limitedBy: 'REQUESTED' };
}

/**
 * The route a campaign's messages take first (the one its planned rate follows): the first that
 * can send now, else the first at all (its messages wait there); null when none is left (a
 * sender whose route is gone or disabled) or for the implicit device pool.
 */
export function campaignRoute(
  routes: readonly CapacityRoute[],
  onlinePhones: number,
  limits: { phoneSegmentsPerMinute: number; carrierSegmentsPerSecond: number },
  sender: CapacitySender | null = null,
): CapacityRoute | null {
  const capacities = routeCapacities(routes, onlinePhones, limits, sender);
  const chosen = capacities.find((c) => c.segmentsPerMinute > 0) ?? capacities[0];
  return chosen?.route ?? null;
}

/**
 * "Rate now": a ring of per-slot counts of the messages the fan-out created (12 slots of 5 s,
 * stored on the campaign row and moved in each step's transaction), so reading the rate of the
 * last minute is a sum of 12 numbers, never a scan of the campaign's messages.
 */
export const RATE_SLOT_MS = 5_000;
export const RATE_SLOTS = 12;

export interface RateRing {
  /** Counts, newest first: slots[0] is the slot starting at `at`, slots[i] the i-th before. */
  slots: number[];
  /** Start (epoch ms) of the newest slot; null when nothing was counted yet. */
  at: number | null;
}

const slotStart = (t: number) => t - (((t % RATE_SLOT_MS) + RATE_SLOT_MS) % RATE_SLOT_MS);

/** The ring moved to `now`'s slot (older slots shifted out), with `count` added to it. */
export function recordRate(ring: RateRing, now: number, count: number): RateRing {
  const current = slotStart(now);
  const slots = Array.from({ length: RATE_SLOTS }, () => 0);
  if (ring.at !== null) {
    const shift = Math.round((current - ring.at) / RATE_SLOT_MS);
    // A clock that went back (another replica's step): count in the newest slot.
    const by = Math.max(0, shift);
    for (let i = 0; i + by < RATE_SLOTS && i < ring.slots.length; i++)
      slots[i + by] = ring.slots[i];
  }
  slots[0] += count;
  return { slots, at: ring.at !== null && current < ring.at ? ring.at : current };
}

/**
 * Messages a minute over the last minute (the slots ending at `now`), scaled up when the
 * campaign has run for less than that (`since`: when it started or resumed).
 */
export function rateNow(ring: RateRing, now: number, since: number | null): number {
  if (ring.at === null) return 0;
  const current = slotStart(now);
  const shift = Math.max(0, Math.round((current - ring.at) / RATE_SLOT_MS));
  let sum = 0;
  for (let i = 0; i + shift < RATE_SLOTS && i < ring.slots.length; i++) sum += ring.slots[i];
  const windowMs = RATE_SLOTS * RATE_SLOT_MS;
  const covered = Math.min(
    windowMs,
    Math.max(RATE_SLOT_MS, since === null ? windowMs : now - since),
  );
  return Math.round((sum * 60_000) / covered);
}

/**
 * When a running campaign will have handed every remaining recipient to the send path, at its
 * planned rate; null when it is not running or has no rate yet.
 */
export function campaignEta(
  running: boolean,
  remaining: number,
  plannedPerMinute: number | null,
  now: number,
): number | null {
  if (!running || !plannedPerMinute || plannedPerMinute <= 0) return null;
  return now + estimatedSeconds(Math.max(0, remaining), plannedPerMinute) * 1000;
}

/** What a campaign's progress shows besides its counters, computed from the row at `now`. */
export interface LiveProgress {
  /** Messages created a minute over the last minute (the ring). */
  rateNow: number;
  /** The rate the runner paces it at (the requested one before the first step). */
  plannedRatePerMinute: number;
  /** Seconds until every remaining recipient is handed to the send path (0 when not running). */
  etaSeconds: number;
  /** That moment (epoch ms), null when not running. */
  eta: number | null;
}

export function liveProgress(
  c: {
    status: CampaignStatus;
    ratePerMinute: number;
    plannedRatePerMinute: number | null;
    recipientsTotal: number;
    processed: number;
    rateSlots: number[];
    rateSlotAt: number | null;
    startedAt: number | null;
  },
  now: number,
): LiveProgress {
  const planned = c.plannedRatePerMinute ?? c.ratePerMinute;
  const running = c.status === 'RUNNING' || c.status === 'SCHEDULED';
  const remaining = Math.max(0, c.recipientsTotal - c.processed);
  const eta = campaignEta(running, remaining, planned, now);
  return {
    rateNow: rateNow({ slots: c.rateSlots, at: c.rateSlotAt }, now, c.startedAt),
    plannedRatePerMinute: planned,
    etaSeconds: eta === null ? 0 : Math.round((eta - now) / 1000),
    eta,
  };
}

/** `campaign.progress` webhooks: at most one per this interval, plus one at every status change. */
export const PROGRESS_WEBHOOK_INTERVAL_MS = 5_000;

export function progressWebhookDue(
  lastAt: Date | null,
  now: Date,
  statusChanged: boolean,
): boolean {
  return (
    statusChanged || !lastAt || now.getTime() - lastAt.getTime() >= PROGRESS_WEBHOOK_INTERVAL_MS
  );
}
