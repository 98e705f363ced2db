import { consoleDownloadPath, erasureConfirmed } from './privacy';

describe('the privacy page', () => {
  it('confirms an erasure only when the number is typed exactly', () => {
    expect(erasureConfirmed('+14155550123', '+14155550123')).toBe(true);
    expect(erasureConfirmed('+14155550123', ' +1 415 555 0123 ')).toBe(true);
    expect(erasureConfirmed('+14155550123', '+14155550124')).toBe(false);
    expect(erasureConfirmed('+14155550123', '')).toBe(false);
    expect(erasureConfirmed('', '')).toBe(false);
  });

  it('opens export links through its own origin’s /downloads/', () => {
    expect(consoleDownloadPath('http://localhost:4000/downloads/privacy/abc?sig=x&exp=1')).toBe(
      '/downloads/privacy/abc?sig=x&exp=1',
    );
    expect(consoleDownloadPath('/downloads/a')).toBe('/downloads/a');
    expect(consoleDownloadPath('https://evil.example/steal')).toBeNull();
    expect(consoleDownloadPath('javascript:alert(1)')).toBeNull();
  });
});
