import { onThisOrigin, parseCsv, parseImportReport } from './csv';

describe('parseCsv', () => {
  it('reads quoted cells with commas, quotes and newlines, CRLF and a BOM', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
  });
  it('keeps empty cells and a last line without a newline', () => {
    expect(parseCsv('a,,c\n,b,')).toEqual([
      ['a', '', 'c'],
      ['', 'b', ''],
    ]);
  });
});

describe('parseImportReport', () => {
  it('maps the report columns by name and skips blank lines', () => {
    const text =
      'row,column,reason,detail\n3,phone,BAD_NUMBER,"not a number: ""abc"""\n\n5,,DUPLICATE,row 2\n';
    expect(parseImportReport(text)).toEqual([
      { row: 3, column: 'phone', reason: 'BAD_NUMBER', detail: 'not a number: "abc"' },
      { row: 5, column: '', reason: 'DUPLICATE', detail: 'row 2' },
    ]);
  });
  it('is empty for an empty report', () => {
    expect(parseImportReport('')).toEqual([]);
    expect(parseImportReport('row,column,reason,detail\n')).toEqual([]);
  });
});

describe('onThisOrigin', () => {
  it('keeps the signed path and query on the console’s origin', () => {
    expect(
      onThisOrigin(
        'https://sms.example.com/uploads/contact-imports/1?token=a%2Bb',
        'http://127.0.0.1:4000',
      ),
    ).toBe('http://127.0.0.1:4000/uploads/contact-imports/1?token=a%2Bb');
    expect(onThisOrigin('/uploads/x?token=t', 'http://h')).toBe('http://h/uploads/x?token=t');
  });
});
