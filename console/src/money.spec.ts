import { formatMoney } from './money';

describe('formatMoney', () => {
  it('formats minor units exactly, without floating point', () => {
    expect(formatMoney({ currencyCode: 'USD', amountMinor: '1999' }, 'en-US')).toBe('$19.99');
    expect(formatMoney({ currencyCode: 'USD', amountMinor: '5' }, 'en-US')).toBe('$0.05');
    expect(formatMoney({ currencyCode: 'USD', amountMinor: '-250' }, 'en-US')).toBe('-$2.50');
    expect(formatMoney({ currencyCode: 'USD', amountMinor: '900719925474099312' }, 'en-US')).toBe(
      '$9,007,199,254,740,993.12',
    );
    expect(formatMoney({ currencyCode: 'JPY', amountMinor: '1500' }, 'en-US')).toBe('¥1,500');
  });
});
