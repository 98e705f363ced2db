import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { OutboxWriter } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import {
  CARRIER_DISPATCH,
  type CarrierDispatchEnqueuer,
  type CarrierError,
  type RouteFailoverHook,
} from '../carriers/carrier';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import type { Message, SendPurpose } from '../domain/message';
import type { MessageError } from '../domain/message-error';
import { messagePriority } from '../domain/message-priority';
import { normalizePhoneNumber } from '../domain/phone-number';
import {
  carrierHealth,
  chooseRoute,
  deviceErrorFailsOver,
  devicePoolHealth,
  messageRouteOf,
  usageDay,
  type RouteCandidate,
  type RouteKind,
  type RoutePreference,
  type RouteRefusalCode,
} from '../domain/router';
import type { Checked, Routing } from '../domain/send-rules';
import { MessageLifecycle } from '../messages/message-lifecycle';
import { dispatchCommandDraft } from '../messages/message-events';
import type { MessageRecord } from '../messages/message.record';
import { MessagesRepository } from '../messages/messages.repository';
import { JobsRepository } from '../scheduler/jobs.repository';
import { withdrawCommandDraft } from './route-commands';
import type { RouteAttemptRecord, RouteRecord } from './route.record';
import { RoutesRepository } from './routes.repository';

/** What the router needs to know about a message. */
export interface RoutingInput {
  /** E.164. */
  to: string;
  mediaUrls: readonly string[];
  segments: number;
  purpose: SendPurpose;
  triedRouteIds?: readonly string[];
  /** The sender the request chose (`routeId`): that route first, or only (README "Senders"). */
  preference?: RoutePreference | null;
  /**
   * A new request (not a stored message's dispatch or failover): a preference for a route that
   * is not an enabled route of the organization, or a `from` that is not one of its numbers, is
   * then the request's mistake (outcome `invalid`: UNKNOWN_ROUTE, UNKNOWN_SENDER); later it is
   * the route's refusal like any other.
   */
  request?: { from: string | null };
}

/** The route chosen for a message, to start with `start` once the message is written. */
export interface RouteDecision {
  /** null: the implicit device pool of an organization without routes. */
  route: RouteRecord | null;
  kind: RouteKind;
  /** Another route could take the message should this one not (device deadline is set then). */
  hasFallback: boolean;
  /** The device and SIM to ask the pool for (none for a carrier route). */
  routing: Routing;
  /** The segments are already counted against the route's daily cap (`takeDailyCap`). */
  usageTaken?: boolean;
}

export type RoutePlan =
  | ({ outcome: 'route' } & RouteDecision)
  | { outcome: 'reject'; code: RouteRefusalCode; reason: string }
  /**
   * The request's own routing is wrong (UNKNOWN_DEVICE, INVALID_SIM, UNKNOWN_SENDER, or its
   * preferred route: UNKNOWN_ROUTE).
   */
  | { outcome: 'invalid'; checked: Checked<Routing> & { ok: false } };

const HEALTH_WINDOW_MS = 15 * 60_000;

/**
 * Which route a message takes and when it fails over (issue 12). The decisions are
 * `domain/router.ts`'s; this loads the facts (routes, device pool and carrier health, today's
 * usage, the routes a message already took), records each attempt, and acts:
 * - `plan` + `start`: the first route, at send (or at a scheduled message's dispatch);
 * - `onDeviceDeadline`: no phone took the message in time → withdraw it from the pool;
 * - `onDeviceWithdrawn`: devices confirmed the withdrawal (nothing sent it) → next route;
 * - `onDeviceFailed`: the pool gave up (after its own re-dispatches) → next route;
 * - `onAttemptFailed` (carriers' hook): a carrier failed it retryably → next route.
 * Once per route; when none is left the message fails with the last attempt's error.
 */
@Injectable()
export class RoutingService implements RouteFailoverHook {
  private readonly logger = new Logger(RoutingService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly routes: RoutesRepository,
    private readonly messages: MessagesRepository,
    private readonly lifecycle: MessageLifecycle,
    private readonly jobs: JobsRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
    @Optional()
    @Inject(CARRIER_DISPATCH)
    private readonly carriers: CarrierDispatchEnqueuer | null = null,
  ) {}

  /**
   * The route for a message, given the pool routing the request asked for (`device`): without
   * routes the implicit device pool (as before routes existed; it sends no MMS); with routes the
   * router's choice, or its refusal. `known.hasRoutes: false` (the send path read that with the
   * organization) skips reading them.
   */
  async plan(
    tx: EntityManager,
    input: RoutingInput,
    device: Checked<Routing>,
    now: Date,
    known: { hasRoutes?: boolean } = {},
  ): Promise<RoutePlan> {
    const routes = known.hasRoutes === false ? [] : await this.routes.list(tx);
    const preference = input.preference ?? null;
    if (preference && input.request) {
      const wrong = await this.checkPreference(tx, routes, preference, input.request.from, device);
      if (wrong) return { outcome: 'invalid', checked: wrong };
    }
    if (routes.length === 0 && preference) {
      return { outcome: 'reject', code: 'NO_ROUTE_AVAILABLE', reason: 'The chosen route is gone' };
    }
    if (routes.length === 0) {
      if (!device.ok) return { outcome: 'invalid', checked: device };
      if (input.mediaUrls.length > 0) {
        return {
          outcome: 'reject',
          code: 'MMS_NOT_SUPPORTED',
          reason: 'The device pool sends SMS only, and the organization has no carrier route',
        };
      }
      return {
        outcome: 'route',
        route: null,
        kind: 'DEVICE_POOL',
        hasFallback: false,
        routing: device.value,
      };
    }
    // A bad device or SIM is the request's mistake whatever the routes; a `from` no SIM has
    // may be a carrier number: then only the device pool cannot take it.
    if (!device.ok && device.refusal.code !== 'UNKNOWN_SENDER') {
      return { outcome: 'invalid', checked: device };
    }
    const candidates = await this.candidates(tx, routes, device, now);
    const choice = chooseRoute(
      {
        destinationCountry: countryOf(input.to),
        segments: input.segments,
        hasMedia: input.mediaUrls.length > 0,
        purpose: input.purpose,
        triedRouteIds: input.triedRouteIds ?? [],
        preference,
      },
      candidates,
    );
    if (!choice.ok) {
      if (!device.ok && choice.code === 'NO_ROUTE_AVAILABLE') {
        return { outcome: 'invalid', checked: device };
      }
      return { outcome: 'reject', code: choice.code, reason: choice.reason };
    }
    const route = routes.find((r) => r.id === choice.route.id)!;
    return {
      outcome: 'route',
      route,
      kind: route.kind,
      hasFallback: choice.fallbacks.length > 0,
      routing:
        route.kind === 'DEVICE_POOL' && device.ok
          ? device.value
          : { deviceId: null, simNumber: null },
    };
  }

  /**
   * A request's preferred route, checked: one of the organization's enabled routes, and `from`
   * (when given) one of its numbers — a SIM of the device pool, or a number of the carrier
   * account. Undefined when it is right.
   */
  private async checkPreference(
    tx: EntityManager,
    routes: readonly RouteRecord[],
    preference: RoutePreference,
    from: string | null,
    device: Checked<Routing>,
  ): Promise<(Checked<Routing> & { ok: false }) | undefined> {
    const route = routes.find((r) => r.id === preference.routeId);
    if (!route || !route.enabled) {
      return {
        ok: false,
        refusal: {
          code: 'UNKNOWN_ROUTE',
          message: route
            ? 'The chosen route is disabled'
            : 'routeId is not a route of this organization',
          details: { routeId: preference.routeId },
        },
      };
    }
    if (!from) return undefined;
    const ofRoute =
      route.kind === 'DEVICE_POOL'
        ? device.ok
        : await this.routes.isCarrierNumber(tx, route.carrierAccountId!, from);
    if (ofRoute) return undefined;
    if (route.kind === 'DEVICE_POOL' && !device.ok && device.refusal.code !== 'UNKNOWN_SENDER') {
      return device;
    }
    return {
      ok: false,
      refusal: {
        code: 'UNKNOWN_SENDER',
        message:
          route.kind === 'DEVICE_POOL'
            ? '"from" is not the number of a SIM of this organization'
            : '"from" is not a number of the chosen route\'s carrier account',
        details: { routeId: route.id },
      },
    };
  }

  /**
   * A campaign's sender, checked as a send's would be (UNKNOWN_ROUTE, UNKNOWN_SENDER), with
   * whether the phone of a device-pool `from` is online now (its capacity).
   */
  async checkSender(
    tx: EntityManager,
    sender: RoutePreference & { from: string | null },
  ): Promise<Checked<{ fromOnline: boolean }>> {
    const sims = sender.from ? await this.routes.simsOfNumber(tx, sender.from) : [];
    const device: Checked<Routing> =
      !sender.from || sims.length > 0
        ? { ok: true, value: { deviceId: null, simNumber: null } }
        : {
            ok: false,
            refusal: {
              code: 'UNKNOWN_SENDER',
              message: '"from" is not the number of a SIM of this organization',
            },
          };
    const wrong = await this.checkPreference(
      tx,
      await this.routes.list(tx),
      sender,
      sender.from,
      device,
    );
    return wrong ?? { ok: true, value: { fromOnline: sims.some((s) => s.online) } };
  }

  /** A message's stored preference (its failover and dispatch keep it). */
  async preferenceOf(tx: EntityManager, messageId: string): Promise<RoutePreference | null> {
    return (await this.routes.preferenceOf(tx, messageId)) ?? null;
  }

  /** Remembers the preference of a message just written (a message with a `routeId`). */
  async keepPreference(
    tx: EntityManager,
    record: Pick<MessageRecord, 'id' | 'orgId'>,
    preference: RoutePreference,
  ): Promise<void> {
    await this.routes.insertPreference(tx, {
      orgId: record.orgId,
      messageId: record.id,
      routeId: preference.routeId,
      fallback: preference.fallback,
    });
  }

  private async candidates(
    tx: EntityManager,
    routes: RouteRecord[],
    device: Checked<Routing>,
    now: Date,
  ): Promise<RouteCandidate[]> {
    const usage = await this.routes.usage(tx, usageDay(now));
    const hasPool = routes.some((r) => r.kind === 'DEVICE_POOL' && r.enabled);
    const hasCarrier = routes.some((r) => r.kind !== 'DEVICE_POOL' && r.enabled);
    const online = hasPool ? await this.routes.onlineDevices(tx) : 0;
    const outcomes = hasCarrier
      ? await this.routes.recentOutcomes(tx, new Date(now.getTime() - HEALTH_WINDOW_MS))
      : new Map<string, { attempts: number; failures: number }>();
    return routes.map((r) => {
      const recent = outcomes.get(r.id);
      return {
        id: r.id,
        kind: r.kind,
        priority: r.priority,
        enabled: r.enabled,
        allowedCountries: r.allowedCountries,
        costPerSegment: r.costPerSegmentMinor,
        dailyCap: r.dailyCapSegments,
        usedToday: usage.get(r.id) ?? 0,
        health:
          r.kind === 'DEVICE_POOL'
            ? devicePoolHealth(online)
            : carrierHealth(recent?.attempts ?? 0, recent?.failures ?? 0),
        unusable: r.kind === 'DEVICE_POOL' && !device.ok ? device.refusal.message : null,
      };
    });
  }

  /**
   * Takes the message's segments from the chosen route's daily cap — one conditional statement
   * (`routes.takeUsage`: counted only when it still fits, so sends racing at the cap never pass
   * it) — as late as the send allows: right before the message is written, once it is certain
   * to start now. A route with no room is dropped and the next one planned (taking its cap in
   * turn); with none left the plan is a DAILY_CAP_REACHED refusal. Routes without a cap are
   * counted by `start` as before (nothing to check).
   */
  async takeDailyCap(
    tx: EntityManager,
    input: RoutingInput,
    plan: RoutePlan,
    device: Checked<Routing>,
    now: Date,
  ): Promise<RoutePlan> {
    const full: string[] = [];
    let current = plan;
    while (current.outcome === 'route' && current.route?.dailyCapSegments != null) {
      const taken = await this.routes.takeUsage(tx, {
        orgId: current.route.orgId,
        routeId: current.route.id,
        day: usageDay(now),
        segments: input.segments,
        cap: current.route.dailyCapSegments,
      });
      if (taken) return { ...current, usageTaken: true };
      full.push(current.route.id);
      current = await this.plan(
        tx,
        { ...input, triedRouteIds: [...(input.triedRouteIds ?? []), ...full] },
        device,
        now,
      );
    }
    if (current.outcome === 'reject' && full.length > 0) {
      return {
        outcome: 'reject',
        code: 'DAILY_CAP_REACHED',
        reason: 'Every route that fits has reached its daily cap',
      };
    }
    return current;
  }

  /**
   * Starts the route decided for a message just written with its attempt number and route:
   * records the attempt, counts the segments against the route's daily cap, and hands a
   * carrier route's message to the carrier dispatch queue; a device route with a fallback gets
   * its deadline. (The device pool's dispatch command is written with the message.) The
   * implicit device pool of an organization without routes records nothing: it can never fail
   * over, and its one attempt is implied by the message (`implicitPoolAttempt`) — one write
   * less on the hot path (issue 17).
   */
  async start(tx: EntityManager, record: MessageRecord, decision: RouteDecision, now: Date) {
    const route = decision.route;
    if (!route) return;
    await this.routes.insertAttempt(tx, {
      orgId: record.orgId,
      messageId: record.id,
      attempt: record.attempt,
      routeId: route.id,
      routeKind: decision.kind,
      startedAt: now,
    });
    if (!decision.usageTaken)
      await this.routes.addUsage(tx, {
        orgId: record.orgId,
        routeId: route.id,
        day: usageDay(now),
        segments: record.segments,
      });
    if (route.kind === 'DEVICE_POOL') {
      if (decision.hasFallback) {
        const seconds = route.deviceFailoverSeconds ?? this.config.ROUTE_DEVICE_FAILOVER_SECONDS;
        await this.jobs.schedule(tx, {
          tenantId: record.orgId,
          messageId: record.id,
          kind: 'route-deadline',
          dueAt: new Date(now.getTime() + seconds * 1000),
        });
      }
      return;
    }
    if (!this.carriers) throw new Error('No carrier dispatch queue: carriers are not wired');
    await this.carriers.enqueue(tx, {
      messageId: record.id,
      routeId: route.id,
      carrierAccountId: route.carrierAccountId!,
      attempt: record.attempt,
      priority: messagePriority(record.purpose ?? 'TRANSACTIONAL', record.priority),
    });
  }

  /**
   * Scheduler: a device route's deadline. A message no phone took yet (still QUEUED on its
   * first pool attempt) is withdrawn from the pool — when another route could take it; the
   * failover itself waits for devices to confirm (`onDeviceWithdrawn`), so a phone that took it
   * meanwhile keeps it.
   */
  async onDeviceDeadline(tx: EntityManager, messageId: string): Promise<void> {
    const record = await this.messages.findById(tx, messageId, { forUpdate: true });
    if (!record || record.status !== 'QUEUED' || record.route !== 'DEVICE') return;
    const attempts = await this.routes.attemptsOf(tx, record.id);
    const current = attempts.at(-1);
    if (
      !current?.routeId ||
      current.routeKind !== 'DEVICE_POOL' ||
      current.outcome !== 'PENDING' ||
      current.attempt !== record.attempt
    ) {
      return;
    }
    const now = this.clock.now();
    const input = this.inputOf(record, attempts, await this.preferenceOf(tx, record.id));
    const next = await this.plan(tx, input, anySim, now);
    if (next.outcome !== 'route') return; // nowhere to go: the pool keeps trying
    await this.routes.setOutcome(tx, record.id, current.attempt, 'WITHDRAWING', null);
    await this.outbox.add(tx, withdrawCommandDraft(record, now));
  }

  /**
   * A CANCELED report of the current attempt while it is being withdrawn: nothing sent it, so
   * it goes to the next route. True when the report was this (the caller records nothing).
   */
  async onDeviceWithdrawn(
    tx: EntityManager,
    record: MessageRecord,
    reportAttempt: number,
  ): Promise<boolean> {
    if (reportAttempt !== 0 && reportAttempt !== record.attempt) return false;
    const attempts = await this.routes.attemptsOf(tx, record.id);
    const current = attempts.at(-1);
    if (current?.outcome !== 'WITHDRAWING' || current.attempt !== record.attempt) return false;
    const now = this.clock.now();
    const error: MessageError = {
      code: 'DEVICE_TIMEOUT',
      message: 'No device took the message before the route deadline',
      rawCode: null,
      rawMessage: null,
    };
    if (await this.failOver(tx, record, attempts, error, 'WITHDRAWN', now)) return true;
    // The routes changed meanwhile and none is left: back to the pool (a new attempt).
    const after = await this.lifecycle.change(
      tx,
      record,
      { attempt: record.attempt + 1 },
      [],
      (a) => [dispatchCommandDraft(a, now)],
      now,
    );
    await this.routes.insertAttempt(tx, {
      orgId: after.orgId,
      messageId: after.id,
      attempt: after.attempt,
      routeId: current.routeId,
      routeKind: 'DEVICE_POOL',
      startedAt: now,
    });
    return true;
  }

  /**
   * The device pool failed the message for good (its re-dispatches are spent) with an error
   * another route may not have: fail over. True when another route took it.
   */
  async onDeviceFailed(
    tx: EntityManager,
    record: MessageRecord,
    error: MessageError,
  ): Promise<boolean> {
    if (!deviceErrorFailsOver(error.code)) return false;
    const attempts = await this.routes.attemptsOf(tx, record.id);
    if (!attempts.at(-1)?.routeId) return false; // the implicit pool has no other route
    return this.failOver(tx, record, attempts, error, 'FAILED', this.clock.now());
  }

  /** Carriers' hook: a carrier attempt failed (at send or by a status callback). */
  async onAttemptFailed(
    tx: EntityManager,
    message: Message,
    failure: { routeId: string; error: CarrierError },
  ): Promise<boolean> {
    const record = await this.messages.findById(tx, message.id, { forUpdate: true });
    if (!record) return false;
    const attempts = await this.routes.attemptsOf(tx, record.id);
    const current = attempts.at(-1);
    const error: MessageError = {
      code: failure.error.code,
      message: failure.error.rawText ?? failure.error.code,
      rawCode: failure.error.rawCode,
      rawMessage: failure.error.rawText,
    };
    const now = this.clock.now();
    if (!current || current.routeId !== failure.routeId) return false; // a stale attempt
    if (!failure.error.retryableOnAnotherRoute) {
      await this.routes.setOutcome(tx, record.id, current.attempt, 'FAILED', now, error);
      return false;
    }
    return this.failOver(tx, record, attempts, error, 'FAILED', now);
  }

  /** Carriers' hook: the carrier accepted the current attempt. */
  async onAttemptSent(
    tx: EntityManager,
    message: Message,
    sent: { routeId: string; externalId: string },
  ): Promise<void> {
    const attempts = await this.routes.attemptsOf(tx, message.id);
    const current = attempts.at(-1);
    if (current && current.routeId === sent.routeId) {
      await this.routes.setOutcome(tx, message.id, current.attempt, 'SUCCEEDED', this.clock.now());
    }
  }

  /**
   * Ends the current attempt with `outcome` and hands the message to the next route the router
   * picks among those it has not taken; false (nothing else changed) when there is none.
   */
  private async failOver(
    tx: EntityManager,
    record: MessageRecord,
    attempts: RouteAttemptRecord[],
    error: MessageError,
    outcome: 'FAILED' | 'WITHDRAWN',
    now: Date,
  ): Promise<boolean> {
    const current = attempts.at(-1);
    if (current) await this.routes.setOutcome(tx, record.id, current.attempt, outcome, now, error);
    // The sender belongs to the route (a SIM, a carrier's number): the next route picks its own.
    const input = this.inputOf(record, attempts, await this.preferenceOf(tx, record.id));
    const planned = await this.plan(tx, input, anySim, now);
    if (planned.outcome !== 'route' || !planned.route) return false;
    const next = await this.takeDailyCap(tx, input, planned, anySim, now);
    if (next.outcome !== 'route' || !next.route) return false;
    const after = await this.lifecycle.change(
      tx,
      record,
      {
        attempt: record.attempt + 1,
        route: messageRouteOf(next.kind),
        fromNumber: null,
        requestedDeviceId: next.routing.deviceId,
        requestedSimNumber: next.routing.simNumber,
      },
      [],
      next.kind === 'DEVICE_POOL' ? (a) => [dispatchCommandDraft(a, now)] : undefined,
      now,
    );
    await this.start(tx, after, next, now);
    this.logger.log({
      msg: 'message failed over',
      messageId: record.id,
      from: current?.routeKind,
      to: next.kind,
      error: error.code,
    });
    return true;
  }

  private inputOf(
    record: MessageRecord,
    attempts: RouteAttemptRecord[],
    preference: RoutePreference | null,
  ): RoutingInput {
    return {
      preference,
      to: record.toNumber ?? '',
      mediaUrls: record.mediaUrls,
      segments: record.segments,
      purpose: record.purpose ?? 'TRANSACTIONAL',
      triedRouteIds: attempts.flatMap((a) => (a.routeId ? [a.routeId] : [])),
    };
  }

  /** The attempts of a page of messages in one query (`Message.attempts`), by message id. */
  async attemptsOfMessages(
    orgId: string,
    messageIds: readonly string[],
  ): Promise<Map<string, RouteAttemptRecord[]>> {
    const found = await inTenantTransaction(this.dataSource, orgId, (tx) =>
      this.routes.attemptsOfMany(tx, [...messageIds]),
    );
    const byMessage = new Map<string, RouteAttemptRecord[]>();
    for (const attempt of found) {
      const list = byMessage.get(attempt.messageId) ?? [];
      list.push(attempt);
      byMessage.set(attempt.messageId, list);
    }
    return byMessage;
  }
}

/** A send request's preference (its `routeId`, `routeFallback`), if it has one. */
export function routePreferenceOf(request: {
  routeId?: string | null;
  routeFallback?: boolean | null;
}): RoutePreference | null {
  return request.routeId ? { routeId: request.routeId, fallback: !!request.routeFallback } : null;
}

/** A failover's pool routing: any phone, any SIM (the sender belongs to the route). */
const anySim: Checked<Routing> = { ok: true, value: { deviceId: null, simNumber: null } };

/** The country of an E.164 number, or null. */
function countryOf(e164: string): string | null {
  const parsed = normalizePhoneNumber(e164, 'US');
  return parsed.ok ? parsed.country : null;
}
