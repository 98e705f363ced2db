import { formatMoney, toMinorUnits } from './money';

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

describe('toMinorUnits', () => {
  it('reads whole and decimal amounts exactly', () => {
    expect(toMinorUnits('25', 'USD')).toBe('2500');
    expect(toMinorUnits(' 25.5 ', 'USD')).toBe('2550');
    expect(toMinorUnits('1,000.07', 'USD')).toBe('100007');
    expect(toMinorUnits('0.1', 'USD')).toBe('10');
    expect(toMinorUnits('90071992547409.93', 'USD')).toBe('9007199254740993');
    expect(toMinorUnits('500', 'JPY')).toBe('500');
  });
  it('refuses zero, negatives, too many digits and text', () => {
    for (const bad of ['0', '0.00', '-5', '1.234', 'abc', '', '1.2.3']) {
      expect([bad, toMinorUnits(bad, 'USD')]).toEqual([bad, null]);
    }
    expect(toMinorUnits('5.5', 'JPY')).toBeNull();
  });
});
