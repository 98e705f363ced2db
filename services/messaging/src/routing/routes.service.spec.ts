import { MessagingErrorCode } from '../common/messaging.exception';
import { checkSettings } from './routes.service';

const base = {
  name: 'Phones',
  priority: 10,
  allowedCountries: ['us'],
  costPerSegmentMinor: null,
  costCurrency: null,
  dailyCapSegments: null,
  deviceFailoverSeconds: null,
  enabled: true,
};

describe('checkSettings', () => {
  it('normalizes countries and currency', () => {
    expect(
      checkSettings('TWILIO', {
        ...base,
        name: ' Twilio ',
        allowedCountries: ['us', 'US', 'ca'],
        costPerSegmentMinor: 79,
        costCurrency: 'usd',
      }),
    ).toEqual({
      ...base,
      name: 'Twilio',
      allowedCountries: ['US', 'CA'],
      costPerSegmentMinor: 79,
      costCurrency: 'USD',
    });
  });

  it.each([
    ['no name', { name: ' ' }],
    ['a negative priority', { priority: -1 }],
    ['no country', { allowedCountries: [] }],
    ['an unknown country', { allowedCountries: ['ZZ'] }],
    ['a cost without currency', { costPerSegmentMinor: 5 }],
    ['a fractional cost', { costPerSegmentMinor: 0.5, costCurrency: 'USD' }],
    ['a bad currency', { costPerSegmentMinor: 5, costCurrency: 'dollars' }],
    ['a negative cap', { dailyCapSegments: -1 }],
    ['a deadline of 0', { deviceFailoverSeconds: 0 }],
  ])('refuses %s: INVALID_ROUTE', (_what, change) => {
    expect(() => checkSettings('DEVICE_POOL', { ...base, ...change })).toThrow(
      expect.objectContaining({ code: MessagingErrorCode.INVALID_ROUTE }),
    );
  });

  it('gives a failover deadline to the device pool only', () => {
    expect(checkSettings('DEVICE_POOL', { ...base, deviceFailoverSeconds: 30 })).toMatchObject({
      deviceFailoverSeconds: 30,
    });
    expect(() => checkSettings('TELNYX', { ...base, deviceFailoverSeconds: 30 })).toThrow(
      expect.objectContaining({ code: MessagingErrorCode.INVALID_ROUTE }),
    );
  });
});
