import { chooseDevice, ineligibility, simFor, type Candidate } from './selection';

const rules = { maxBacklogWindows: 10 };

function device(id: string, overrides: Partial<Candidate> = {}): Candidate {
  return {
    id,
    online: true,
    enabled: true,
    quarantined: false,
    rate: 30,
    dailyLimit: null,
    simPolicy: 'BALANCED',
    sims: [1],
    backlogSegments: 0,
    windowSegments: 0,
    dailySegments: new Map(),
    lastAssignedAt: 0,
    ...overrides,
  };
}

describe('chooseDevice', () => {
  it('skips offline, disabled, quarantined and excluded devices', () => {
    const fleet = [
      device('off', { online: false }),
      device('dis', { enabled: false }),
      device('quar', { quarantined: true }),
      device('excl'),
      device('ok', { backlogSegments: 100 }),
    ];
    expect(chooseDevice(fleet, { segments: 1, excludedDeviceIds: ['excl'] }, rules)).toEqual({
      deviceId: 'ok',
      simNumber: 1,
    });
  });

  it('pools the message when no device can take it', () => {
    expect(chooseDevice([device('a', { online: false })], { segments: 1 }, rules)).toBeNull();
    expect(chooseDevice([], { segments: 1 }, rules)).toBeNull();
  });

  it('takes the preferred device when it can, else another', () => {
    const fleet = [device('a'), device('b', { backlogSegments: 50 })];
    expect(chooseDevice(fleet, { segments: 1, preferredDeviceId: 'b' }, rules)?.deviceId).toBe('b');
    const bBusy = [device('a'), device('b', { online: false })];
    expect(chooseDevice(bBusy, { segments: 1, preferredDeviceId: 'b' }, rules)?.deviceId).toBe('a');
  });

  it('spreads load: least work per unit of rate, then least recently assigned', () => {
    const fleet = [
      device('busy', { backlogSegments: 20 }),
      device('slow', { rate: 10, backlogSegments: 5 }),
      device('idle-recent', { lastAssignedAt: 200 }),
      device('idle-old', { lastAssignedAt: 100 }),
    ];
    expect(chooseDevice(fleet, { segments: 1 }, rules)?.deviceId).toBe('idle-old');
  });

  it('spreads a burst evenly over equal devices', () => {
    const fleet = ['a', 'b', 'c'].map((id) => device(id));
    const counts = new Map<string, number>();
    for (let i = 1; i <= 30; i++) {
      const chosen = chooseDevice(fleet, { segments: 1 }, rules)!;
      const d = fleet.find((c) => c.id === chosen.deviceId)!;
      d.backlogSegments += 1;
      d.lastAssignedAt = i;
      counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([10, 10, 10]);
  });

  it('bounds a device queue', () => {
    const full = device('full', { backlogSegments: 300 });
    expect(ineligibility(full, { segments: 1 }, rules)).toBe('queue full');
  });

  it('never gives a device a message longer than its rate', () => {
    expect(ineligibility(device('a', { rate: 5 }), { segments: 6 }, rules)).toBe(
      'message longer than the rate',
    );
  });
});

describe('simFor', () => {
  it('honours a requested SIM the device has, with room', () => {
    const d = device('a', { sims: [1, 2], dailyLimit: 10, dailySegments: new Map([[2, 9]]) });
    expect(simFor(d, { segments: 1, simNumber: 2 })).toBe(2);
    expect(simFor(d, { segments: 2, simNumber: 2 })).toBeUndefined();
    expect(simFor(d, { segments: 1, simNumber: 3 })).toBeUndefined();
  });

  it('balances across SIMs by room left today', () => {
    const d = device('a', {
      sims: [1, 2],
      dailyLimit: 100,
      dailySegments: new Map([
        [1, 60],
        [2, 10],
      ]),
    });
    expect(simFor(d, { segments: 1 })).toBe(2);
  });

  it('balances by use when there is no cap', () => {
    const d = device('a', { sims: [1, 2], dailySegments: new Map([[1, 3]]) });
    expect(simFor(d, { segments: 1 })).toBe(2);
  });

  it('lets the phone choose under DEVICE_DEFAULT, capping its default SIM', () => {
    const d = device('a', { simPolicy: 'DEVICE_DEFAULT', sims: [1, 2], dailyLimit: 5 });
    expect(simFor(d, { segments: 1 })).toBeNull();
    expect(simFor({ ...d, dailySegments: new Map([[0, 5]]) }, { segments: 1 })).toBeUndefined();
  });
});
