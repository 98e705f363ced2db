import { parseOptions } from './options';
import { gsonDate } from './simulated-phone';

describe('device agent options', () => {
  it('reads a fleet run with outcome ratios', () => {
    const options = parseOptions([
      'run',
      '--api-url',
      'https://sb.example/api/mobile/v1/',
      '--token',
      'sbe_x',
      '--devices',
      '5',
      '--delivered',
      '8',
      '--failed',
      '2',
      '--errors',
      'RESULT_ERROR_NO_SERVICE, RESULT_ERROR_RADIO_OFF',
    ]);
    expect(options).toMatchObject({
      command: 'run',
      apiUrl: 'https://sb.example/api/mobile/v1',
      devices: 5,
      outcomes: { delivered: 0.8, sent: 0, failed: 0.2 },
      errors: ['RESULT_ERROR_NO_SERVICE', 'RESULT_ERROR_RADIO_OFF'],
      order: 'fifo',
    });
  });

  it('refuses incomplete or wrong options with a clear message', () => {
    expect(() => parseOptions(['enroll', '--token', 'x'])).toThrow(/--api-url/);
    expect(() => parseOptions(['receive', '--from', '+1'])).toThrow(/--text/);
    expect(() => parseOptions(['run', '--devices', '0'])).toThrow(/--devices/);
    expect(() => parseOptions(['run', '--order', 'random'])).toThrow(/--order/);
    expect(() => parseOptions(['fly'])).toThrow(/unknown command/);
    expect(parseOptions([]).command).toBe('help');
  });
});

describe('device agent helpers', () => {
  it('writes dates as Gson does', () => {
    expect(gsonDate(new Date(Date.UTC(2024, 4, 13, 9, 49, 17, 357)))).toBe(
      '2024-05-13T09:49:17.357Z',
    );
  });
});
