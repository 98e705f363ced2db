import { parseActivateIn } from './rotate-signing-key';

describe('rotate-signing-key arguments', () => {
  it('activates now by default, or after the given seconds', () => {
    expect(parseActivateIn([])).toBe(0);
    expect(parseActivateIn(['--activate-in', '300'])).toBe(300);
    expect(() => parseActivateIn(['--activate-in', 'soon'])).toThrow(/seconds/);
    expect(() => parseActivateIn(['--activate-in', '-5'])).toThrow(/seconds/);
  });
});
