import fc from 'fast-check';
import {
  carrierHealth,
  chooseRoute,
  devicePoolHealth,
  isMmsCapable,
  ROUTE_HEALTHS,
  ROUTE_KINDS,
  type RouteCandidate,
  type RoutedMessage,
} from './router';

const route = (id: string, over: Partial<RouteCandidate> = {}): RouteCandidate => ({
  id,
  kind: 'DEVICE_POOL',
  priority: 10,
  enabled: true,
  allowedCountries: ['US'],
  costPerSegment: null,
  dailyCap: null,
  usedToday: 0,
  health: 'UP',
  ...over,
});

const sms: RoutedMessage = {
  destinationCountry: 'US',
  segments: 1,
  hasMedia: false,
  purpose: 'TRANSACTIONAL',
  triedRouteIds: [],
};

const pickedId = (routes: RouteCandidate[], message: RoutedMessage = sms) => {
  const choice = chooseRoute(message, routes);
  return choice.ok ? choice.route.id : choice.code;
};

describe('chooseRoute', () => {
  it('orders by priority, then health, then cost', () => {
    expect(pickedId([route('b', { priority: 2 }), route('a', { priority: 1 })])).toBe('a');
    expect(
      pickedId([route('a', { health: 'DOWN' }), route('b', { kind: 'TWILIO', health: 'UP' })]),
    ).toBe('b');
    expect(
      pickedId([
        route('a', { kind: 'TWILIO', costPerSegment: 79 }),
        route('b', { kind: 'TELNYX', costPerSegment: 40 }),
      ]),
    ).toBe('b');
    // Priority beats health: a down device pool first still gets the message (then fails over).
    expect(
      pickedId([route('a', { priority: 1, health: 'DOWN' }), route('b', { priority: 2 })]),
    ).toBe('a');
  });

  it('lists the fallbacks in order', () => {
    const choice = chooseRoute(sms, [
      route('c', { priority: 3, kind: 'TELNYX' }),
      route('a', { priority: 1 }),
      route('b', { priority: 2, kind: 'TWILIO' }),
    ]);
    expect(choice.ok && choice.fallbacks.map((r) => r.id)).toEqual(['b', 'c']);
  });

  it('refuses a country no route allows: COUNTRY_NOT_ALLOWED', () => {
    expect(pickedId([route('a')], { ...sms, destinationCountry: 'GB' })).toBe(
      'COUNTRY_NOT_ALLOWED',
    );
    expect(pickedId([route('a')], { ...sms, destinationCountry: null })).toBe(
      'COUNTRY_NOT_ALLOWED',
    );
  });

  it('sends MMS through carriers only: MMS_NOT_SUPPORTED without one', () => {
    const mms = { ...sms, hasMedia: true };
    expect(pickedId([route('a')], mms)).toBe('MMS_NOT_SUPPORTED');
    expect(pickedId([route('a', { priority: 1 }), route('b', { kind: 'TELNYX' })], mms)).toBe('b');
  });

  it('skips a route at its daily cap: DAILY_CAP_REACHED when all are', () => {
    const capped = route('a', { kind: 'TWILIO', dailyCap: 100, usedToday: 99 });
    expect(pickedId([capped], { ...sms, segments: 2 })).toBe('DAILY_CAP_REACHED');
    expect(pickedId([capped], { ...sms, segments: 1 })).toBe('a');
  });

  it('skips disabled, tried and unusable routes', () => {
    expect(pickedId([route('a', { enabled: false })])).toBe('NO_ROUTE_AVAILABLE');
    expect(pickedId([route('a')], { ...sms, triedRouteIds: ['a'] })).toBe('NO_ROUTE_AVAILABLE');
    const choice = chooseRoute(sms, [route('a', { unusable: 'no SIM has this sender number' })]);
    expect(choice).toEqual({
      ok: false,
      code: 'NO_ROUTE_AVAILABLE',
      reason: 'no SIM has this sender number',
    });
  });
});

describe('chooseRoute with a preferred route (a sender)', () => {
  const pool = route('pool', { priority: 1 });
  const twilio = route('twilio', { kind: 'TWILIO', priority: 2 });
  const telnyx = route('telnyx', { kind: 'TELNYX', priority: 3 });
  const routes = [pool, twilio, telnyx];
  const pinned = (routeId: string, fallback = false): RoutedMessage => ({
    ...sms,
    preference: { routeId, fallback },
  });

  it('takes the pinned route although another comes first, with no fallbacks', () => {
    const choice = chooseRoute(pinned('twilio'), routes);
    expect(choice.ok && choice.route.id).toBe('twilio');
    expect(choice.ok && choice.fallbacks).toEqual([]);
  });

  it('with fallback: the pinned route first, then the others in their order', () => {
    const choice = chooseRoute(pinned('telnyx', true), routes);
    expect(choice.ok && [choice.route.id, ...choice.fallbacks.map((r) => r.id)]).toEqual([
      'telnyx',
      'pool',
      'twilio',
    ]);
  });

  it('without fallback a full, disabled or tried pinned route gives its own refusal', () => {
    const full = [pool, { ...twilio, dailyCap: 10, usedToday: 10 }];
    expect(pickedId(full, pinned('twilio'))).toBe('DAILY_CAP_REACHED');
    expect(pickedId([pool, { ...twilio, enabled: false }], pinned('twilio'))).toBe(
      'NO_ROUTE_AVAILABLE',
    );
    expect(pickedId(routes, { ...pinned('twilio'), triedRouteIds: ['twilio'] })).toBe(
      'NO_ROUTE_AVAILABLE',
    );
    expect(pickedId(routes, { ...pinned('pool'), hasMedia: true })).toBe('MMS_NOT_SUPPORTED');
    expect(pickedId([pool, { ...twilio, allowedCountries: ['CA'] }], pinned('twilio'))).toBe(
      'COUNTRY_NOT_ALLOWED',
    );
  });

  it('with fallback a full pinned route falls over to the next', () => {
    const full = [pool, { ...twilio, dailyCap: 10, usedToday: 10 }, telnyx];
    expect(pickedId(full, pinned('twilio', true))).toBe('pool');
    expect(pickedId(routes, { ...pinned('twilio', true), triedRouteIds: ['twilio'] })).toBe('pool');
  });

  it('never picks another route without fallback (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pool', 'twilio', 'telnyx'),
        fc.array(fc.constantFrom('pool', 'twilio', 'telnyx')),
        fc.boolean(),
        (routeId, tried, hasMedia) => {
          const choice = chooseRoute(
            { ...pinned(routeId), triedRouteIds: tried, hasMedia },
            routes,
          );
          return !choice.ok || (choice.route.id === routeId && choice.fallbacks.length === 0);
        },
      ),
    );
  });
});

describe('chooseRoute properties', () => {
  const countries = ['US', 'CA', 'GB'];
  const arbRoute = (id: string) =>
    fc.record({
      id: fc.constant(id),
      kind: fc.constantFrom(...ROUTE_KINDS),
      priority: fc.integer({ min: 0, max: 5 }),
      enabled: fc.boolean(),
      allowedCountries: fc.subarray(countries),
      costPerSegment: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
      dailyCap: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
      usedToday: fc.integer({ min: 0, max: 20 }),
      health: fc.constantFrom(...ROUTE_HEALTHS),
      unusable: fc.option(fc.constant('no SIM'), { nil: null }),
    });
  const arbRoutes = fc
    .integer({ min: 0, max: 6 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbRoute(`r${i}`))));
  const arbMessage = (ids: string[]) =>
    fc.record({
      destinationCountry: fc.option(fc.constantFrom(...countries, 'FR'), { nil: null }),
      segments: fc.integer({ min: 1, max: 10 }),
      hasMedia: fc.boolean(),
      purpose: fc.constantFrom('TRANSACTIONAL' as const, 'CAMPAIGN' as const),
      triedRouteIds: ids.length ? fc.subarray(ids) : fc.constant([] as string[]),
    });
  const arbCase = arbRoutes.chain((routes) =>
    fc.tuple(fc.constant(routes as RouteCandidate[]), arbMessage(routes.map((r) => r.id))),
  );

  it('picks exactly one route, one the organization has, that fits every rule', () => {
    fc.assert(
      fc.property(arbCase, ([routes, message]) => {
        const choice = chooseRoute(message, routes);
        if (!choice.ok) return;
        const picked = routes.filter((r) => r.id === choice.route.id);
        expect(picked).toHaveLength(1); // never two routes at once
        const r = choice.route;
        expect(r.enabled).toBe(true);
        expect(r.allowedCountries).toContain(message.destinationCountry); // never outside its allow-list
        expect(message.triedRouteIds).not.toContain(r.id); // never back to a route that failed it
        if (message.hasMedia) expect(r.kind).not.toBe('DEVICE_POOL'); // never a device route for MMS
        expect(r.unusable ?? null).toBeNull();
        if (r.dailyCap !== null)
          expect(r.usedToday + message.segments).toBeLessThanOrEqual(r.dailyCap);
        expect(choice.fallbacks.map((f) => f.id)).not.toContain(r.id);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses only when no route fits', () => {
    fc.assert(
      fc.property(arbCase, ([routes, message]) => {
        const fits = routes.filter(
          (r) =>
            r.enabled &&
            !message.triedRouteIds.includes(r.id) &&
            message.destinationCountry !== null &&
            r.allowedCountries.includes(message.destinationCountry) &&
            (!message.hasMedia || isMmsCapable(r.kind)) &&
            !r.unusable &&
            (r.dailyCap === null || r.usedToday + message.segments <= r.dailyCap),
        );
        expect(chooseRoute(message, routes).ok).toBe(fits.length > 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('fails over once per route and terminates', () => {
    fc.assert(
      fc.property(arbCase, ([routes, first]) => {
        let message = { ...first, triedRouteIds: [] as string[] };
        const taken: string[] = [];
        for (let step = 0; step <= routes.length; step++) {
          const choice = chooseRoute(message, routes);
          if (!choice.ok) break;
          expect(taken).not.toContain(choice.route.id);
          taken.push(choice.route.id);
          // The route fails the message: the next choice excludes it.
          message = { ...message, triedRouteIds: [...message.triedRouteIds, choice.route.id] };
        }
        expect(taken.length).toBeLessThanOrEqual(routes.length);
        expect(chooseRoute(message, routes).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('health', () => {
  it('device pool: UP with an online device', () => {
    expect(devicePoolHealth(0)).toBe('DOWN');
    expect(devicePoolHealth(1)).toBe('UP');
  });

  it('carrier: by the recent error rate, once there are enough attempts', () => {
    expect(carrierHealth(4, 4)).toBe('UP');
    expect(carrierHealth(10, 0)).toBe('UP');
    expect(carrierHealth(10, 1)).toBe('DEGRADED');
    expect(carrierHealth(10, 5)).toBe('DOWN');
  });
});
