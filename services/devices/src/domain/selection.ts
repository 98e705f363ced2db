/**
 * Which device (and SIM) takes a dispatched message. Pure: the caller loads the candidates.
 *
 * A device can take a message when it is online, enabled, not quarantined, not excluded for
 * this message, may send that many segments per window at all, has room in its queue (at most
 * `maxBacklogWindows` windows of sending already waiting) and, with a daily cap, room on a SIM
 * today. Among those the message's preferred device wins; otherwise the device that will get to
 * it soonest (least work waiting per unit of rate), then the one assigned least recently, so
 * load spreads across the fleet. Within a device, a `BALANCED` policy picks the SIM with the
 * most room today; `DEVICE_DEFAULT` leaves the choice to the phone.
 */

export type SimPolicy = 'DEVICE_DEFAULT' | 'BALANCED';
export const SIM_POLICIES: readonly SimPolicy[] = ['DEVICE_DEFAULT', 'BALANCED'];

export interface Candidate {
  id: string;
  online: boolean;
  enabled: boolean;
  quarantined: boolean;
  /** Segments per pacing window. */
  rate: number;
  /** Segments per SIM per 24 h; null: no cap. */
  dailyLimit: number | null;
  simPolicy: SimPolicy;
  /** The SIM slots (1-based) the device reported; empty when it reported none. */
  sims: number[];
  /** Segments assigned and not yet handed out. */
  backlogSegments: number;
  /** Segments handed out in the current window. */
  windowSegments: number;
  /** Segments per SIM (0 = phone's default SIM) handed out or reserved in the last 24 h. */
  dailySegments: ReadonlyMap<number, number>;
  /** Epoch ms of the last assignment; 0 if never. */
  lastAssignedAt: number;
}

export interface DispatchRequest {
  segments: number;
  preferredDeviceId?: string;
  /** Requested SIM slot, 1-based; 0 or undefined: no preference. */
  simNumber?: number;
  excludedDeviceIds?: readonly string[];
}

export interface Assignment {
  deviceId: string;
  /** SIM slot to send from; null lets the phone choose. */
  simNumber: number | null;
}

export interface SelectionRules {
  /** A device's queue holds at most this many windows' worth of segments. */
  maxBacklogWindows: number;
}

/** The SIM the message would use on this device, or undefined if none has room today. */
export function simFor(candidate: Candidate, request: DispatchRequest): number | null | undefined {
  const room = (slot: number) =>
    candidate.dailyLimit === null
      ? Number.POSITIVE_INFINITY
      : candidate.dailyLimit - (candidate.dailySegments.get(slot) ?? 0) - request.segments;
  const requested = request.simNumber && request.simNumber > 0 ? request.simNumber : undefined;
  if (requested !== undefined) {
    if (candidate.sims.length > 0 && !candidate.sims.includes(requested)) return undefined;
    return room(requested) >= 0 ? requested : undefined;
  }
  if (candidate.simPolicy === 'BALANCED' && candidate.sims.length > 0) {
    let best: number | undefined;
    let bestRoom = -1;
    for (const slot of [...candidate.sims].sort((a, b) => a - b)) {
      const r = room(slot);
      // Without a cap every SIM has infinite room: balance on what each sent today instead.
      const score = r === Number.POSITIVE_INFINITY ? -(candidate.dailySegments.get(slot) ?? 0) : r;
      if (r >= 0 && (best === undefined || score > bestRoom)) {
        best = slot;
        bestRoom = score;
      }
    }
    return best;
  }
  return room(0) >= 0 ? null : undefined;
}

/** Why a device can't take the message, or null if it can. */
export function ineligibility(
  candidate: Candidate,
  request: DispatchRequest,
  rules: SelectionRules,
): string | null {
  if (!candidate.enabled) return 'disabled';
  if (candidate.quarantined) return 'quarantined';
  if (!candidate.online) return 'offline';
  if (request.excludedDeviceIds?.includes(candidate.id)) return 'excluded';
  if (request.segments > candidate.rate) return 'message longer than the rate';
  if (candidate.backlogSegments + request.segments > candidate.rate * rules.maxBacklogWindows) {
    return 'queue full';
  }
  if (simFor(candidate, request) === undefined) return 'daily limit reached';
  return null;
}

/** The device and SIM for the message, or null when no device can take it now (pool it). */
export function chooseDevice(
  candidates: readonly Candidate[],
  request: DispatchRequest,
  rules: SelectionRules,
): Assignment | null {
  const eligible = candidates.filter((c) => ineligibility(c, request, rules) === null);
  if (eligible.length === 0) return null;
  const preferred = eligible.find((c) => c.id === request.preferredDeviceId);
  const chosen =
    preferred ??
    [...eligible].sort(
      (a, b) =>
        (a.backlogSegments + a.windowSegments) / a.rate -
          (b.backlogSegments + b.windowSegments) / b.rate ||
        a.lastAssignedAt - b.lastAssignedAt ||
        a.id.localeCompare(b.id),
    )[0];
  return { deviceId: chosen.id, simNumber: simFor(chosen, request) ?? null };
}
