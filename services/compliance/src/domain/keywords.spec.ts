import { KEYWORD_TABLE, normalizeKeywordText, parseKeyword } from './keywords';

describe('opt-out keywords', () => {
  it('knows exactly the keywords of SPEC §4 and the issue', () => {
    const table = Object.fromEntries(KEYWORD_TABLE.map((k) => [k.keyword, k.intent]));
    expect(table).toEqual({
      STOP: 'OPT_OUT',
      STOPALL: 'OPT_OUT',
      'STOP ALL': 'OPT_OUT',
      UNSUBSCRIBE: 'OPT_OUT',
      CANCEL: 'OPT_OUT',
      END: 'OPT_OUT',
      QUIT: 'OPT_OUT',
      REVOKE: 'OPT_OUT',
      OPTOUT: 'OPT_OUT',
      'OPT OUT': 'OPT_OUT',
      START: 'OPT_IN',
      UNSTOP: 'OPT_IN',
      YES: 'OPT_IN',
      HELP: 'HELP',
      INFO: 'HELP',
    });
  });

  it.each(KEYWORD_TABLE.map((k) => [k.keyword, k.intent]))(
    'reads %s as %s in any case, with surrounding whitespace and punctuation',
    (keyword, intent) => {
      const variants = [
        keyword,
        keyword.toLowerCase(),
        keyword[0] + keyword.slice(1).toLowerCase(),
        `  ${keyword}  `,
        `\t${keyword}\n`,
        `${keyword}.`,
        `${keyword}!!!`,
        `"${keyword}"`,
        `¡${keyword}!`,
        `${keyword} 🛑`,
        `(${keyword})`,
      ];
      for (const text of variants) {
        expect(parseKeyword(text)).toEqual({ intent, keyword });
      }
    },
  );

  it.each([
    ['STOP!!!', 'OPT_OUT'],
    ['stop.', 'OPT_OUT'],
    ['Stop', 'OPT_OUT'],
    ['sToP', 'OPT_OUT'],
    ['stop all', 'OPT_OUT'],
    ['Stop  All', 'OPT_OUT'],
    ['opt-out', 'OPT_OUT'],
    ['Opt_Out', 'OPT_OUT'],
    ['opt out!', 'OPT_OUT'],
    ['OptOut', 'OPT_OUT'],
    ['unsubscribe.', 'OPT_OUT'],
    ['start', 'OPT_IN'],
    ['Unstop', 'OPT_IN'],
    ['yes!', 'OPT_IN'],
    ['help?', 'HELP'],
    ['Info.', 'HELP'],
  ])('%j → %s', (text, intent) => {
    expect(parseKeyword(text)?.intent).toBe(intent);
  });

  it('normalizes Unicode: full-width letters, non-breaking and ideographic spaces, invisible characters', () => {
    expect(parseKeyword('ＳＴＯＰ')?.intent).toBe('OPT_OUT'); // full-width (NFKC)
    expect(parseKeyword('ｓｔｏｐ！')?.intent).toBe('OPT_OUT');
    expect(parseKeyword('\u00a0STOP\u00a0')?.intent).toBe('OPT_OUT'); // no-break space
    expect(parseKeyword('\u3000STOP\u3000')?.intent).toBe('OPT_OUT'); // ideographic space
    expect(parseKeyword('\u2003stop\u2009')?.intent).toBe('OPT_OUT'); // em / thin space
    expect(parseKeyword('OPT\u00a0OUT')?.intent).toBe('OPT_OUT');
    expect(parseKeyword('ST\u200bOP')?.intent).toBe('OPT_OUT'); // zero-width space
    expect(parseKeyword('\ufeffSTOP')?.intent).toBe('OPT_OUT'); // byte-order mark
    expect(parseKeyword('STOP\u2026')?.intent).toBe('OPT_OUT'); // ellipsis
    expect(parseKeyword(`${' '.repeat(200)}STOP\n`)?.intent).toBe('OPT_OUT');
    expect(normalizeKeywordText('  Ｓｔｏｐ　ａｌｌ ! ')).toBe('STOP ALL');
  });

  it.each([
    'stop by later',
    'Stopp',
    'stops',
    'STOP STOP',
    'please stop',
    'stop please',
    'Stop texting me',
    "don't stop",
    'startup',
    'start now',
    'yess',
    'yes please',
    'helpful',
    'help me',
    'information',
    'cancelled',
    'cancel my appointment',
    'the end',
    'quitting',
    's t o p',
    'S.T.O.P',
    'sto p',
    'opt outs',
    'optin',
    'no',
    'unsubscribed',
    '',
    '   ',
    '!!!',
    '🛑',
    'ST0P',
    'STOP1',
    `STOP${'!'.repeat(100)}`,
  ])('%j is an ordinary message', (text) => {
    expect(parseKeyword(text)).toBeNull();
  });
});
