import { usageBars } from './usage-chart';

describe('usageBars', () => {
  const line = { route: 'DEVICE', country: 'US', kind: 'SMS', overageSegments: 0 };
  it('sums lines per destination and route, largest first, with what went past the allowance', () => {
    expect(
      usageBars([
        { ...line, segments: 10, includedSegments: 10 },
        { ...line, country: 'DE', segments: 40, includedSegments: 30, overageSegments: 10 },
        { ...line, segments: 5, includedSegments: 2, overageSegments: 3 },
        { ...line, country: '*', kind: 'MMS', route: 'TWILIO', segments: 1, includedSegments: 0 },
      ]),
    ).toEqual([
      { label: 'DE · DEVICE', included: 30, overage: 10, total: 40 },
      { label: 'US · DEVICE', included: 12, overage: 3, total: 15 },
      { label: 'other · TWILIO MMS', included: 0, overage: 1, total: 1 },
    ]);
  });
  it('is empty without usage', () => {
    expect(usageBars([])).toEqual([]);
  });
});
