/**
 * The router: which of an organization's routes a message takes, or why none can. Pure: the
 * routing service loads the routes with their facts (health, today's usage) and the message's
 * history, asks `chooseRoute`, and acts on the answer — the first send and every failover.
 */
import type { SendPurpose } from './message';

export const ROUTE_KINDS = ['DEVICE_POOL', 'TWILIO', 'TELNYX'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

/** Best first: a route's health only orders routes of the same priority, it never excludes. */
export const ROUTE_HEALTHS = ['UP', 'DEGRADED', 'DOWN'] as const;
export type RouteHealth = (typeof ROUTE_HEALTHS)[number];

/** A device route never sends MMS (the SMSGate app sends SMS only); carrier routes do. */
export function isMmsCapable(kind: RouteKind): boolean {
  return kind !== 'DEVICE_POOL';
}

/** One of the organization's routes with what the router needs to know about it now. */
export interface RouteCandidate {
  id: string;
  kind: RouteKind;
  /** Lower goes first. */
  priority: number;
  enabled: boolean;
  /** ISO 3166-1 alpha-2 destination countries the route may send to (SMS-pumping protection). */
  allowedCountries: readonly string[];
  /** Minor units per segment; null: unknown (taken as free, like a phone's SIM plan). */
  costPerSegment: number | null;
  /** Segments per UTC day; null: no cap. */
  dailyCap: number | null;
  /** Segments sent through it today (UTC). */
  usedToday: number;
  health: RouteHealth;
  /** Why this route cannot take this message at all (a device pool with no SIM for `from`). */
  unusable?: string | null;
}

/** The message being routed (first send or failover). */
export interface RoutedMessage {
  /** Of `to`; null when unknown (then no allow-list admits it). */
  destinationCountry: string | null;
  segments: number;
  hasMedia: boolean;
  purpose: SendPurpose;
  /** Routes the message already took (failed, or withdrawn from): never again. */
  triedRouteIds: readonly string[];
  /** The sender the request chose (a campaign's or a send's `routeId`), if any. */
  preference?: RoutePreference | null;
}

/**
 * A route the sender chose. `fallback: false`: that route only — when it cannot take the message
 * the refusal is its own (as the last route's would be), never a silent fall-over; `true`: that
 * route first, then the organization's others in their usual order.
 */
export interface RoutePreference {
  routeId: string;
  fallback: boolean;
}

export type RouteRefusalCode =
  'COUNTRY_NOT_ALLOWED' | 'MMS_NOT_SUPPORTED' | 'DAILY_CAP_REACHED' | 'NO_ROUTE_AVAILABLE';

export type RouteChoice =
  | {
      ok: true;
      route: RouteCandidate;
      /** Routes that could still take the message should this one fail (in order). */
      fallbacks: RouteCandidate[];
    }
  | { ok: false; code: RouteRefusalCode; reason: string };

/**
 * Picks the route: among the enabled routes the message has not taken yet, those that allow
 * its destination country, send MMS when it has media, can take it at all and are under their
 * daily cap; ordered by priority, then health, then cost per segment, then id (deterministic).
 * A preferred route (`message.preference`) goes first; without `fallback` it is the only one.
 * The refusal names the first filter that left nothing, so the caller can say why.
 */
export function chooseRoute(
  message: RoutedMessage,
  routes: readonly RouteCandidate[],
): RouteChoice {
  const tried = new Set(message.triedRouteIds);
  const pinned = message.preference ?? null;
  let left = routes.filter(
    (r) => r.enabled && !tried.has(r.id) && (!pinned || pinned.fallback || r.id === pinned.routeId),
  );
  if (left.length === 0) {
    return refuse('NO_ROUTE_AVAILABLE', 'No enabled route is left for this message');
  }
  const country = message.destinationCountry;
  left = left.filter((r) => country !== null && r.allowedCountries.includes(country));
  if (left.length === 0) {
    return refuse(
      'COUNTRY_NOT_ALLOWED',
      `No route of this organization may send to ${country ?? 'this destination'}`,
    );
  }
  if (message.hasMedia) {
    left = left.filter((r) => isMmsCapable(r.kind));
    if (left.length === 0) {
      return refuse('MMS_NOT_SUPPORTED', 'No route of this organization can send MMS');
    }
  }
  const usable = left.filter((r) => !r.unusable);
  if (usable.length === 0) {
    return refuse('NO_ROUTE_AVAILABLE', left.find((r) => r.unusable)!.unusable!);
  }
  const underCap = usable.filter(
    (r) => r.dailyCap === null || r.usedToday + message.segments <= r.dailyCap,
  );
  if (underCap.length === 0) {
    return refuse('DAILY_CAP_REACHED', 'Every route that fits has reached its daily cap');
  }
  const ordered = [...underCap].sort(
    (a, b) =>
      Number(b.id === pinned?.routeId) - Number(a.id === pinned?.routeId) || compareRoutes(a, b),
  );
  return { ok: true, route: ordered[0], fallbacks: ordered.slice(1) };
}

function compareRoutes(a: RouteCandidate, b: RouteCandidate): number {
  return (
    a.priority - b.priority ||
    ROUTE_HEALTHS.indexOf(a.health) - ROUTE_HEALTHS.indexOf(b.health) ||
    (a.costPerSegment ?? 0) - (b.costPerSegment ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

function refuse(code: RouteRefusalCode, reason: string): RouteChoice {
  return { ok: false, code, reason };
}

/** A device pool is UP with an online device, DOWN without one. */
export function devicePoolHealth(onlineDevices: number): RouteHealth {
  return onlineDevices > 0 ? 'UP' : 'DOWN';
}

/** Fewer recent attempts than this say nothing about a carrier route's health. */
export const HEALTH_MIN_ATTEMPTS = 5;

/**
 * A carrier route's health from its recent attempts (the routing service counts the last
 * ROUTE_HEALTH_WINDOW): DOWN from half failed, DEGRADED from a tenth, else UP.
 */
export function carrierHealth(attempts: number, failures: number): RouteHealth {
  if (attempts < HEALTH_MIN_ATTEMPTS) return 'UP';
  const rate = failures / attempts;
  return rate >= 0.5 ? 'DOWN' : rate >= 0.1 ? 'DEGRADED' : 'UP';
}

/** The route a message records (`Message.route`) for a route kind. */
export function messageRouteOf(kind: RouteKind): 'DEVICE' | 'TWILIO' | 'TELNYX' {
  return kind === 'DEVICE_POOL' ? 'DEVICE' : kind;
}

/** Device errors another route may not have: all but a bad number and our own final verdicts. */
const FINAL_ON_EVERY_ROUTE = new Set(['INVALID_NUMBER', 'EXPIRED', 'OPTED_OUT', 'DND']);
export function deviceErrorFailsOver(code: string): boolean {
  return !FINAL_ON_EVERY_ROUTE.has(code);
}

/** `YYYY-MM-DD` of `at` in UTC: the day a route's daily cap counts in. */
export function usageDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
