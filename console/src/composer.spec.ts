import { analyzeSms } from '../../libs/sms/src/segments';
import { composerCount } from './composer';

describe('composerCount', () => {
  it('counts GSM-7 text in septets: 160 fit one segment, the 161st starts a second of 153', () => {
    expect(composerCount('')).toMatchObject({ encoding: 'GSM7', segments: 1, remaining: 160 });
    expect(composerCount('a'.repeat(160))).toMatchObject({ segments: 1, remaining: 0 });
    expect(composerCount('a'.repeat(161))).toMatchObject({ segments: 2, remaining: 306 - 161 });
    expect(composerCount('Hello').label).toBe('GSM-7 · 1 segment · 155 left');
  });

  it('counts an extension character (€) as two septets', () => {
    expect(composerCount('€'.repeat(80))).toMatchObject({
      encoding: 'GSM7',
      segments: 1,
      remaining: 0,
    });
  });

  it('switches to UCS-2 for text outside the GSM alphabet, with 70/67 units per part', () => {
    expect(composerCount('ş')).toMatchObject({ encoding: 'UCS2', segments: 1, remaining: 69 });
    expect(composerCount('😀'.repeat(36))).toMatchObject({
      encoding: 'UCS2',
      segments: 2,
      remaining: 134 - 72,
    });
    expect(composerCount('ş'.repeat(71)).label).toBe('UCS-2 (Unicode) · 2 segments · 63 left');
  });

  it('agrees with the one segment counter messaging bills by', () => {
    for (const text of ['', 'x'.repeat(459), 'ç'.repeat(200), 'mixed € and 😀 text '.repeat(9)]) {
      const info = analyzeSms(text);
      expect(composerCount(text)).toMatchObject({
        encoding: info.encoding,
        segments: info.segments,
      });
    }
  });
});
