import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuditRecord, OutboxWriter } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import { isKnownCountry } from '../domain/phone-number';
import type { RouteKind } from '../domain/router';
import { ProjectionsRepository } from '../projections/projections.repository';
import type { RouteRecord } from './route.record';
import { RoutesRepository, type RouteSettings } from './routes.repository';

export type AuditActor = AuditRecord['actor'];

/** createRoute's input (unset optional fields take their defaults). */
export interface NewRoute {
  name: string;
  kind: RouteKind;
  carrierAccountId?: string | null;
  priority?: number | null;
  allowedCountries?: readonly string[] | null;
  costPerSegmentMinor?: number | null;
  costCurrency?: string | null;
  dailyCapSegments?: number | null;
  deviceFailoverSeconds?: number | null;
  enabled?: boolean | null;
}

/** updateRoute's input: unset fields keep their value; `clear*` unset a cost, cap or deadline. */
export type RouteChanges = {
  name?: string | null;
  priority?: number | null;
  allowedCountries?: readonly string[] | null;
  costPerSegmentMinor?: number | null;
  costCurrency?: string | null;
  dailyCapSegments?: number | null;
  deviceFailoverSeconds?: number | null;
  enabled?: boolean | null;

  clearCost?: boolean | null;
  clearDailyCap?: boolean | null;
  clearDeviceFailover?: boolean | null;
};

/** An organization has at most this many routes. */
export const MAX_ROUTES = 20;
const MAX_PRIORITY = 1000;
const MAX_FAILOVER_SECONDS = 86_400;
const MIN_FAILOVER_SECONDS = 1;

const invalid = (message: string) =>
  new MessagingException(MessagingErrorCode.INVALID_ROUTE, message);
const notFound = () => new MessagingException(MessagingErrorCode.ROUTE_NOT_FOUND, 'No such route');

/**
 * An organization's routes (organization settings: owners and admins): the device pool and its
 * carrier accounts, in priority order, each with a destination-country allow-list that defaults
 * to the organization's own country (SMS-pumping protection), an optional cost per segment and
 * daily cap. Which route a message takes is RoutingService's.
 */
@Injectable()
export class RoutesService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly routes: RoutesRepository,
    private readonly projections: ProjectionsRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  list(orgId: string): Promise<RouteRecord[]> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.routes.list(tx));
  }

  async create(orgId: string, actor: AuditActor, input: NewRoute): Promise<RouteRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const existing = await this.routes.list(tx);
      if (existing.length >= MAX_ROUTES) {
        throw invalid(`An organization has at most ${MAX_ROUTES} routes`);
      }
      const carrierAccountId = await this.checkKind(tx, input, existing);
      const country =
        (await this.projections.findOrganization(tx, orgId))?.defaultCountry ??
        this.config.DEFAULT_COUNTRY;
      const settings = checkSettings(input.kind, {
        name: input.name,
        priority: input.priority ?? (existing.at(-1)?.priority ?? 0) + 10,
        allowedCountries: input.allowedCountries ? [...input.allowedCountries] : [country],
        costPerSegmentMinor: input.costPerSegmentMinor ?? null,
        costCurrency: input.costCurrency ?? null,
        dailyCapSegments: input.dailyCapSegments ?? null,
        deviceFailoverSeconds: input.deviceFailoverSeconds ?? null,
        enabled: input.enabled ?? true,
      });
      const now = this.clock.now();
      const created = await this.routes.insert(
        tx,
        { ...settings, id: randomUUID(), orgId, kind: input.kind, carrierAccountId },
        now,
      );
      await this.audit(tx, actor, orgId, 'route.create', created, now);
      return created;
    });
  }

  async update(
    orgId: string,
    actor: AuditActor,
    id: string,
    changes: RouteChanges,
  ): Promise<RouteRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const route = await this.routes.find(tx, id);
      if (!route) throw notFound();
      const keep = <T>(value: T | null | undefined, current: T) => value ?? current;
      const settings = checkSettings(route.kind, {
        name: keep(changes.name, route.name),
        priority: keep(changes.priority, route.priority),
        allowedCountries: changes.allowedCountries
          ? [...changes.allowedCountries]
          : route.allowedCountries,
        costPerSegmentMinor: changes.clearCost
          ? null
          : keep(changes.costPerSegmentMinor, route.costPerSegmentMinor),
        costCurrency: changes.clearCost ? null : keep(changes.costCurrency, route.costCurrency),
        dailyCapSegments: changes.clearDailyCap
          ? null
          : keep(changes.dailyCapSegments, route.dailyCapSegments),
        deviceFailoverSeconds: changes.clearDeviceFailover
          ? null
          : keep(changes.deviceFailoverSeconds, route.deviceFailoverSeconds),
        enabled: keep(changes.enabled, route.enabled),
      });
      const now = this.clock.now();
      const updated = (await this.routes.update(tx, id, settings, now))!;
      await this.audit(tx, actor, orgId, 'route.update', updated, now);
      return updated;
    });
  }

  /** Removes the route; messages that took it keep their attempts (the route id stays). */
  async delete(orgId: string, actor: AuditActor, id: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const route = await this.routes.find(tx, id);
      if (!route || !(await this.routes.delete(tx, id))) throw notFound();
      await this.audit(tx, actor, orgId, 'route.delete', route, this.clock.now());
      return true;
    });
  }

  /** One device pool per organization; a carrier route names a carrier account of its kind. */
  private async checkKind(
    tx: EntityManager,
    input: NewRoute,
    existing: RouteRecord[],
  ): Promise<string | null> {
    if (input.kind === 'DEVICE_POOL') {
      if (input.carrierAccountId) throw invalid('A device pool route has no carrier account');
      if (existing.some((r) => r.kind === 'DEVICE_POOL')) {
        throw invalid('The organization already has a device pool route');
      }
      return null;
    }
    const accountId = input.carrierAccountId?.toLowerCase() ?? '';
    if (!/^[0-9a-f-]{36}$/.test(accountId)) {
      throw invalid(`A ${input.kind} route needs the id of a carrier account`);
    }
    const kind = await this.routes.carrierAccountKind(tx, accountId);
    if (kind !== input.kind) {
      throw invalid(`carrierAccountId is not a ${input.kind} account of this organization`);
    }
    return accountId;
  }

  private async audit(
    tx: EntityManager,
    actor: AuditActor,
    orgId: string,
    action: string,
    route: RouteRecord,
    occurredAt: Date,
  ): Promise<void> {
    await this.outbox.audit(tx, {
      actor,
      action,
      orgId,
      resourceType: 'route',
      resourceId: route.id,
      outcome: 'success',
      occurredAt,
      metadata: {
        kind: route.kind,
        priority: String(route.priority),
        enabled: String(route.enabled),
        allowedCountries: route.allowedCountries.join(','),
      },
    });
  }
}

/** The settings as stored, or INVALID_ROUTE naming what is out of bounds. */
export function checkSettings(kind: RouteKind, s: RouteSettings): RouteSettings {
  const name = s.name.trim();
  if (name.length < 1 || name.length > 100) throw invalid('name must be 1 to 100 characters');
  if (!Number.isInteger(s.priority) || s.priority < 0 || s.priority > MAX_PRIORITY) {
    throw invalid(`priority must be an integer from 0 to ${MAX_PRIORITY}`);
  }
  const countries = [...new Set(s.allowedCountries.map((c) => c.trim().toUpperCase()))];
  if (
    countries.length === 0 ||
    countries.some((c) => !/^[A-Z]{2}$/.test(c) || !isKnownCountry(c))
  ) {
    throw invalid('allowedCountries must be one or more ISO 3166-1 alpha-2 codes, e.g. US');
  }
  const cost = s.costPerSegmentMinor;
  const currency = s.costCurrency?.trim().toUpperCase() ?? null;
  if ((cost === null) !== (currency === null)) {
    throw invalid('costPerSegmentMinor and costCurrency go together');
  }
  if (cost !== null && (!Number.isInteger(cost) || cost < 0)) {
    throw invalid('costPerSegmentMinor must be a whole number of minor units, at least 0');
  }
  if (currency !== null && !/^[A-Z]{3}$/.test(currency)) {
    throw invalid('costCurrency must be an ISO 4217 code, e.g. USD');
  }
  const cap = s.dailyCapSegments;
  if (cap !== null && (!Number.isInteger(cap) || cap < 0)) {
    throw invalid('dailyCapSegments must be a whole number, at least 0');
  }
  const failover = s.deviceFailoverSeconds;
  if (failover !== null) {
    if (kind !== 'DEVICE_POOL') throw invalid('deviceFailoverSeconds is for device pool routes');
    if (
      !Number.isInteger(failover) ||
      failover < MIN_FAILOVER_SECONDS ||
      failover > MAX_FAILOVER_SECONDS
    ) {
      throw invalid(
        `deviceFailoverSeconds must be from ${MIN_FAILOVER_SECONDS} to ${MAX_FAILOVER_SECONDS}`,
      );
    }
  }
  return {
    ...s,
    name,
    allowedCountries: countries,
    costCurrency: currency,
  };
}
