import { formatMoney } from './money-format';

describe('formatMoney', () => {
  it('places the decimal point by the currency', () => {
    expect(formatMoney('USD', 250)).toBe('$2.50');
    expect(formatMoney('USD', 5)).toBe('$0.05');
    expect(formatMoney('USD', -1234)).toBe('-$12.34');
    expect(formatMoney('JPY', 300)).toBe('¥300');
    expect(formatMoney('EUR', 100000)).toBe('€1,000.00');
  });
});
