import {
  headerKey,
  mapHeader,
  mergeDrafts,
  readContactRow,
  sniffDelimiter,
  type HeaderMapping,
} from './contact-import';

const header = ['Phone', 'Name', 'Opt-In Source', 'opt_in_ip', 'opt_in_at', 'city'];
const mapping = (mapHeader(header) as { ok: true; mapping: HeaderMapping }).mapping;
const column = (i: number) => headerKey(header[i]);
const read = (cells: string[], row = 2) => readContactRow(cells, row, mapping, 'US', column);

describe('sniffDelimiter', () => {
  it('takes the more frequent of , and ; outside quotes', () => {
    expect(sniffDelimiter('phone,name,city')).toBe(',');
    expect(sniffDelimiter('phone;name;city')).toBe(';');
    expect(sniffDelimiter('"a,b,c";name;city')).toBe(';');
    expect(sniffDelimiter('phone')).toBe(',');
  });
});

describe('mapHeader', () => {
  it('maps known fields and makes every other column an attribute', () => {
    expect(mapping).toMatchObject({
      width: 6,
      phone: 0,
      name: 1,
      optInSource: 2,
      optInIp: 3,
      optInAt: 4,
      attributes: [[5, 'city']],
    });
  });

  it('needs a phone column, named columns and no column twice', () => {
    expect(mapHeader(['name', 'city'])).toMatchObject({ ok: false });
    expect(mapHeader(['phone', ''])).toMatchObject({ ok: false });
    expect(mapHeader(['phone', 'City', 'city'])).toMatchObject({ ok: false });
  });
});

describe('readContactRow', () => {
  it('normalizes a national number in the default country and keeps attributes', () => {
    expect(
      read(['(415) 555-0100', 'Ann', 'web', '203.0.113.9', '2024-05-01T10:00:00Z', 'SF']),
    ).toEqual({
      ok: true,
      contact: {
        phoneNumber: '+14155550100',
        name: 'Ann',
        attributes: { city: 'SF' },
        optIn: {
          source: 'web',
          ip: '203.0.113.9',
          at: new Date('2024-05-01T10:00:00Z'),
          text: null,
        },
      },
    });
  });

  it('leaves empty cells out and has no opt-in without opt-in columns', () => {
    expect(read(['+14155550100', '', '', '', '', ''])).toEqual({
      ok: true,
      contact: { phoneNumber: '+14155550100', name: null, attributes: {}, optIn: null },
    });
  });

  it('names each kind of bad row', () => {
    const reasons = (cells: string[]) => {
      const check = read(cells, 7);
      return check.ok ? [] : check.problems.map((p) => [p.row, p.column, p.reason]);
    };
    expect(reasons(['12', 'Ann', '', '', '', ''])).toEqual([[7, 'phone', 'BAD_NUMBER']]);
    expect(reasons(['', 'Ann', '', '', '', ''])).toEqual([[7, 'phone', 'MISSING_PHONE']]);
    expect(reasons(['+14155550100', 'Ann'])).toEqual([[7, null, 'WRONG_COLUMN_COUNT']]);
    expect(reasons(['+14155550100', 'A\uFFFDn', '', '', '', ''])).toEqual([
      [7, 'name', 'BAD_ENCODING'],
    ]);
    expect(reasons(['+14155550100', 'Ann', '', 'not-an-ip', 'yesterday', ''])).toEqual([
      [7, 'opt_in_ip', 'BAD_VALUE'],
      [7, 'opt_in_at', 'BAD_VALUE'],
    ]);
  });
});

describe('mergeDrafts', () => {
  it('lets the later row’s non-empty cells win and merges attributes', () => {
    expect(
      mergeDrafts(
        { phoneNumber: '+1', name: 'Ann', attributes: { a: '1', b: '1' }, optIn: null },
        { phoneNumber: '+1', name: null, attributes: { b: '2' }, optIn: null },
      ),
    ).toEqual({ phoneNumber: '+1', name: 'Ann', attributes: { a: '1', b: '2' }, optIn: null });
  });
});
