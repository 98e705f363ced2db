/**
 * The rules a send request meets before anything is loaded: its timing (scheduledAt,
 * validUntil) and its routing preferences (device, SIM slot, sender number). Pure: each answers
 * a value or a `SendRefusal` the service turns into its typed error.
 */

/** Why a send request is refused; `code` is a MessagingErrorCode. */
export interface SendRefusal {
  code:
    | 'INVALID_SCHEDULE'
    | 'INVALID_VALIDITY'
    | 'INVALID_SIM'
    | 'UNKNOWN_DEVICE'
    | 'UNKNOWN_SENDER'
    | 'UNKNOWN_ROUTE'
    | 'INVALID_MEDIA';
  message: string;
  details?: Record<string, unknown>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; refusal: SendRefusal };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const refuse = <T>(
  code: SendRefusal['code'],
  message: string,
  details?: Record<string, unknown>,
): Checked<T> => ({ ok: false, refusal: { code, message, ...(details ? { details } : {}) } });

/** A scheduledAt closer than this is sent at once. */
export const SCHEDULE_SLACK_MS = 1000;
export const MAX_SIM_SLOT = 8;

export interface TimingRules {
  /** MESSAGE_MAX_SCHEDULE_DAYS */
  maxScheduleDays: number;
  /** MESSAGE_DEFAULT_VALIDITY_SECONDS; 0: no validity unless asked for. */
  defaultValiditySeconds: number;
}

export interface SendTiming {
  /** null: send now. */
  scheduledAt: Date | null;
  /** null: valid forever. */
  validUntil: Date | null;
}

/**
 * When to send and until when: a scheduledAt within SCHEDULE_SLACK_MS means now; at most
 * `maxScheduleDays` ahead; validUntil after the send time, defaulting to the configured validity
 * from the send time.
 */
export function sendTiming(
  requested: { scheduledAt?: Date | null; validUntil?: Date | null },
  now: Date,
  rules: TimingRules,
): Checked<SendTiming> {
  const invalidDate = (d: Date | null | undefined) => d != null && Number.isNaN(d.getTime());
  if (invalidDate(requested.scheduledAt) || invalidDate(requested.validUntil)) {
    return refuse('INVALID_SCHEDULE', 'Invalid date');
  }
  const scheduledAt =
    requested.scheduledAt && requested.scheduledAt.getTime() > now.getTime() + SCHEDULE_SLACK_MS
      ? requested.scheduledAt
      : null;
  if (scheduledAt && scheduledAt.getTime() > now.getTime() + rules.maxScheduleDays * 86_400_000) {
    return refuse(
      'INVALID_SCHEDULE',
      `scheduledAt may be at most ${rules.maxScheduleDays} days ahead`,
    );
  }
  const sendAt = scheduledAt ?? now;
  if (requested.validUntil) {
    if (requested.validUntil <= sendAt) {
      return refuse(
        'INVALID_VALIDITY',
        scheduledAt ? 'validUntil must be after scheduledAt' : 'validUntil must be in the future',
      );
    }
    return ok({ scheduledAt, validUntil: requested.validUntil });
  }
  const seconds = rules.defaultValiditySeconds;
  return ok({
    scheduledAt,
    validUntil: seconds > 0 ? new Date(sendAt.getTime() + seconds * 1000) : null,
  });
}

export interface RoutingRequest {
  deviceId: string | null;
  simNumber: number | null;
  /** `from` in E.164, or null. */
  from: string | null;
}

/** What routing looked up: the requested device, and the organization's SIMs that fit `from`. */
export interface RoutingFacts {
  /** undefined when no deviceId was asked for or no such device exists. */
  device?: { removed: boolean; sims: { slot: number }[] };
  /** SIMs whose (masked) number fits `from`; empty without `from`. */
  simsOfSender: { deviceId: string; slot: number }[];
}

export interface Routing {
  deviceId: string | null;
  simNumber: number | null;
}

/** A SIM slot is 1…MAX_SIM_SLOT (checked before anything is loaded). */
export function checkSimSlot(sim: number | null): Checked<number | null> {
  if (sim !== null && (!Number.isInteger(sim) || sim < 1 || sim > MAX_SIM_SLOT)) {
    return refuse('INVALID_SIM', `simNumber must be a SIM slot from 1 to ${MAX_SIM_SLOT}`);
  }
  return ok(sim);
}

/**
 * The device and SIM to ask the pool for: `deviceId` must be a device of the organization (not
 * removed), `simNumber` one of its SIMs, and `from` the number of one of the organization's SIMs
 * (on that device and slot when they are given), whose device and slot then win.
 */
export function chooseRouting(request: RoutingRequest, facts: RoutingFacts): Checked<Routing> {
  const slot = checkSimSlot(request.simNumber);
  if (!slot.ok) return slot;
  const { deviceId, simNumber: sim } = request;
  if (deviceId !== null) {
    const device = facts.device;
    if (!device || device.removed) {
      return refuse('UNKNOWN_DEVICE', 'No such device in this organization', { deviceId });
    }
    if (sim !== null && device.sims.length > 0 && !device.sims.some((s) => s.slot === sim)) {
      return refuse('INVALID_SIM', 'The device has no such SIM', {
        deviceId,
        simNumber: sim,
        slots: device.sims.map((s) => s.slot),
      });
    }
  }
  if (request.from === null) return ok({ deviceId, simNumber: sim });
  const sims = facts.simsOfSender.filter(
    (s) => (deviceId === null || s.deviceId === deviceId) && (sim === null || s.slot === sim),
  );
  if (sims.length === 0) {
    return refuse('UNKNOWN_SENDER', '"from" is not the number of a SIM of this organization');
  }
  return ok({ deviceId: sims[0].deviceId, simNumber: sims[0].slot });
}
