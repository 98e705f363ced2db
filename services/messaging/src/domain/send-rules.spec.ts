import { chooseRouting, checkSimSlot, sendTiming, type RoutingFacts } from './send-rules';

const now = new Date('2030-01-01T12:00:00Z');
const rules = { maxScheduleDays: 365, defaultValiditySeconds: 86_400 };
const at = (ms: number) => new Date(now.getTime() + ms);
const DAY = 86_400_000;

describe('sendTiming', () => {
  it('sends now, valid for the default validity', () => {
    expect(sendTiming({}, now, rules)).toEqual({
      ok: true,
      value: { scheduledAt: null, validUntil: at(DAY) },
    });
  });

  it('schedules beyond a second of slack; validity counts from the send time', () => {
    expect(sendTiming({ scheduledAt: at(1000) }, now, rules)).toMatchObject({
      value: { scheduledAt: null },
    });
    expect(sendTiming({ scheduledAt: at(1001) }, now, rules)).toEqual({
      ok: true,
      value: { scheduledAt: at(1001), validUntil: at(1001 + DAY) },
    });
  });

  it('keeps no validity when the default is 0', () => {
    expect(sendTiming({}, now, { ...rules, defaultValiditySeconds: 0 })).toMatchObject({
      value: { validUntil: null },
    });
  });

  it.each([
    ['an invalid date', { scheduledAt: new Date('nope') }, 'INVALID_SCHEDULE'],
    ['too far ahead', { scheduledAt: at(366 * DAY) }, 'INVALID_SCHEDULE'],
    ['validUntil now', { validUntil: now }, 'INVALID_VALIDITY'],
    [
      'validUntil before scheduledAt',
      { scheduledAt: at(DAY), validUntil: at(DAY - 1) },
      'INVALID_VALIDITY',
    ],
  ])('refuses %s', (_what, requested, code) => {
    expect(sendTiming(requested, now, rules)).toMatchObject({ ok: false, refusal: { code } });
  });
});

describe('chooseRouting', () => {
  const facts: RoutingFacts = {
    device: { removed: false, sims: [{ slot: 1 }, { slot: 2 }] },
    simsOfSender: [
      { deviceId: 'a', slot: 1 },
      { deviceId: 'b', slot: 2 },
    ],
  };
  const request = { deviceId: null, simNumber: null, from: null };

  it('passes preferences through without `from`', () => {
    expect(chooseRouting({ ...request, deviceId: 'a', simNumber: 2 }, facts)).toEqual({
      ok: true,
      value: { deviceId: 'a', simNumber: 2 },
    });
  });

  it('takes the device and slot of the first SIM of `from` that fits', () => {
    expect(chooseRouting({ ...request, from: '+1' }, facts)).toMatchObject({
      value: { deviceId: 'a', simNumber: 1 },
    });
    expect(chooseRouting({ ...request, from: '+1', simNumber: 2 }, facts)).toMatchObject({
      value: { deviceId: 'b', simNumber: 2 },
    });
  });

  it.each([
    ['slot 0', { simNumber: 0 }, {}, 'INVALID_SIM'],
    ['slot 9', { simNumber: 9 }, {}, 'INVALID_SIM'],
    ['an unknown device', { deviceId: 'x' }, { device: undefined }, 'UNKNOWN_DEVICE'],
    [
      'a removed device',
      { deviceId: 'x' },
      { device: { removed: true, sims: [] } },
      'UNKNOWN_DEVICE',
    ],
    ['a slot the device lacks', { deviceId: 'a', simNumber: 3 }, {}, 'INVALID_SIM'],
    ['a sender no SIM has', { from: '+1' }, { simsOfSender: [] }, 'UNKNOWN_SENDER'],
    [
      'a sender on another device',
      { from: '+1', deviceId: 'c' },
      { device: { removed: false, sims: [] } },
      'UNKNOWN_SENDER',
    ],
  ])('refuses %s', (_what, asked, known, code) => {
    expect(chooseRouting({ ...request, ...asked }, { ...facts, ...known })).toMatchObject({
      ok: false,
      refusal: { code },
    });
  });

  it('checks a slot alone', () => {
    expect(checkSimSlot(null)).toEqual({ ok: true, value: null });
    expect(checkSimSlot(1.5)).toMatchObject({ ok: false });
  });
});
