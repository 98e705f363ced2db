import {
  analyzeSms,
  countSegments,
  GSM7_BASIC,
  GSM7_EXTENSION,
  gsm7Septets,
  isGsm7,
  nonGsm7Characters,
  obviouslyTooLong,
} from './segments';

const a = (n: number) => 'a'.repeat(n);

describe('GSM-7 alphabet', () => {
  it('has 127 basic characters (128 without the escape) and 10 extension characters', () => {
    expect(new Set(GSM7_BASIC).size).toBe(127);
    expect([...GSM7_BASIC]).toHaveLength(127);
    expect(new Set(GSM7_EXTENSION).size).toBe(10);
  });

  it.each([
    ['@', 1],
    ['£', 1],
    ['é', 1],
    ['Ç', 1],
    ['\n', 1],
    ['\r', 1],
    ['Δ', 1],
    ['ß', 1],
    ['¿', 1],
    ['€', 2],
    ['[', 2],
    [']', 2],
    ['{', 2],
    ['}', 2],
    ['\\', 2],
    ['^', 2],
    ['~', 2],
    ['|', 2],
    ['\f', 2],
  ])('%j takes %i septet(s)', (char, septets) => {
    expect(gsm7Septets(char)).toBe(septets);
  });

  it.each([
    'ç',
    'ş',
    'ğ',
    'ı',
    'İ',
    'ã',
    'õ',
    'á',
    'í',
    'ó',
    'ú',
    'ê',
    '`',
    '’',
    '“',
    '😀',
    '\t',
    'д',
    '中',
  ])('%j is not GSM-7', (char) => {
    expect(gsm7Septets(char)).toBeUndefined();
    expect(isGsm7(`hello ${char}`)).toBe(false);
  });

  it('names the characters that force UCS-2, once each', () => {
    expect(nonGsm7Characters('Ação não é ação')).toEqual(['ç', 'ã']);
    expect(nonGsm7Characters('plain [text] €5')).toEqual([]);
  });
});

describe('GSM-7 segments (160 / 153)', () => {
  it.each([
    [0, 1],
    [1, 1],
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
    [1530, 10],
    [1531, 11],
  ])('%i basic characters take %i segment(s)', (length, segments) => {
    const info = analyzeSms(a(length));
    expect(info).toMatchObject({ encoding: 'GSM7', segments, units: length });
    expect(info.parts.join('')).toBe(a(length));
    expect(info.parts).toHaveLength(segments);
  });

  it('counts extension characters double', () => {
    expect(analyzeSms('€'.repeat(80))).toMatchObject({ encoding: 'GSM7', segments: 1, units: 160 });
    expect(analyzeSms('€'.repeat(81))).toMatchObject({ encoding: 'GSM7', segments: 2, units: 162 });
    expect(analyzeSms(`${a(159)}[`)).toMatchObject({ segments: 2, units: 161 });
    expect(analyzeSms(`${a(158)}[`)).toMatchObject({ segments: 1, units: 160 });
    expect(analyzeSms('{}[]~|^\\').units).toBe(16);
  });

  it('never splits an escape pair across parts', () => {
    // 152 septets, then € (2) would make 154 > 153: it opens part 2.
    const text = `${a(152)}€${a(10)}`;
    const info = analyzeSms(text);
    expect(info.segments).toBe(2);
    expect(info.parts[0]).toBe(a(152));
    expect(info.parts[1]).toBe(`€${a(10)}`);
  });

  it('a split escape pair can add a segment', () => {
    // 153*2 = 306 septets exactly fits two parts only when no € straddles a boundary.
    const fits = `${a(151)}€${a(151)}€`; // 153 + 153
    expect(analyzeSms(fits)).toMatchObject({ units: 306, segments: 2 });
    const straddles = `${a(152)}€${a(150)}€`; // 152 | 2+150+2=154 → 3 parts
    expect(analyzeSms(straddles)).toMatchObject({ units: 306, segments: 3 });
  });

  it('an odd part size fits only 76 escape pairs per part', () => {
    expect(analyzeSms('€'.repeat(760))).toMatchObject({ units: 1520, segments: 10 });
    expect(analyzeSms('€'.repeat(761))).toMatchObject({ units: 1522, segments: 11 });
  });

  it('counts line breaks as one septet each', () => {
    expect(analyzeSms('line 1\nline 2\r\nline 3')).toMatchObject({ encoding: 'GSM7', units: 21 });
  });

  it('keeps GSM-7 for accented letters of the default alphabet', () => {
    expect(analyzeSms('Café à Zürich, señor, Øresund, Ç, ù')).toMatchObject({ encoding: 'GSM7' });
  });
});

describe('UCS-2 segments (70 / 67, UTF-16 code units)', () => {
  const u = (n: number) => 'д'.repeat(n);

  it.each([
    [1, 1],
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
    [670, 10],
    [671, 11],
  ])('%i Cyrillic characters take %i segment(s)', (length, segments) => {
    const info = analyzeSms(u(length));
    expect(info).toMatchObject({ encoding: 'UCS2', segments, units: length });
    expect(info.parts.join('')).toBe(u(length));
  });

  it('counts an emoji as two code units', () => {
    expect(analyzeSms('😀')).toMatchObject({ encoding: 'UCS2', units: 2, segments: 1 });
    expect(analyzeSms('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(analyzeSms('😀'.repeat(36))).toMatchObject({ units: 72, segments: 2 });
    expect(analyzeSms(`${a(69)}😀`)).toMatchObject({ units: 71, segments: 2 });
    expect(analyzeSms(`${a(68)}😀`)).toMatchObject({ units: 70, segments: 1 });
  });

  it('one non-GSM character turns the whole text into UCS-2', () => {
    expect(analyzeSms(`${a(100)}ş`)).toMatchObject({ encoding: 'UCS2', units: 101, segments: 2 });
    expect(analyzeSms(`${a(69)}’`)).toMatchObject({ encoding: 'UCS2', segments: 1 });
  });

  it('never splits a surrogate pair across parts', () => {
    const text = `${a(66)}😀${a(10)}`; // 66 units, then 2 would make 68 > 67
    const info = analyzeSms(text);
    expect(info.segments).toBe(2);
    expect(info.parts[0]).toBe(a(66));
    expect(info.parts[1]).toBe(`😀${a(10)}`);
    // No part starts or ends with half of a surrogate pair.
    for (const part of info.parts) {
      expect(part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });

  it('handles Turkish and Portuguese text', () => {
    expect(analyzeSms('Günaydın, şimdi İstanbul’dayım')).toMatchObject({
      encoding: 'UCS2',
      segments: 1,
    });
    expect(
      analyzeSms('Olá! A sua encomenda não chegou; pedimos desculpa pela situação.'),
    ).toMatchObject({
      encoding: 'UCS2',
      units: 64,
      segments: 1,
    });
  });

  it('counts ZWJ sequences and flags by code units', () => {
    expect(analyzeSms('👨‍👩‍👧').units).toBe(8);
    expect(analyzeSms('🇵🇹').units).toBe(4);
  });
});

describe('obviouslyTooLong', () => {
  it('rejects only texts that cannot fit in any encoding', () => {
    expect(obviouslyTooLong(a(1530), 10)).toBe(false);
    expect(obviouslyTooLong(a(1531), 10)).toBe(true);
    expect(obviouslyTooLong(a(160), 1)).toBe(false);
    expect(obviouslyTooLong(a(161), 1)).toBe(true);
  });
});

describe('countSegments', () => {
  // From the devices fallback's spec.
  it('counts GSM-7 and UCS-2 segments', () => {
    expect(countSegments('')).toBe(1);
    expect(countSegments('a'.repeat(160))).toBe(1);
    expect(countSegments('a'.repeat(161))).toBe(2);
    expect(countSegments('€'.repeat(80))).toBe(1);
    expect(countSegments('€'.repeat(81))).toBe(2);
    expect(countSegments('é'.repeat(160))).toBe(1);
    expect(countSegments('ж'.repeat(70))).toBe(1);
    expect(countSegments('😀'.repeat(35))).toBe(1);
    expect(countSegments('😀'.repeat(36))).toBe(2);
  });

  // From the device agent's spec.
  it('counts segments like Android', () => {
    expect(countSegments('hello')).toBe(1);
    expect(countSegments('x'.repeat(200))).toBe(2);
    expect(countSegments('Ж'.repeat(71))).toBe(2);
  });

  it('is the segment count of analyzeSms', () => {
    for (const text of ['', a(307), `${a(152)}€${a(150)}€`, 'д'.repeat(135)]) {
      expect(countSegments(text)).toBe(analyzeSms(text).segments);
    }
  });
});
