import { parseEnvFile } from './stack-env';

describe('parseEnvFile', () => {
  it('reads KEY=value lines and ignores comments and blank lines', () => {
    expect(
      parseEnvFile('# settings\nPG_PORT=55432\n\nKAFKA_BROKERS=127.0.0.1:1,127.0.0.1:2\n'),
    ).toEqual({
      PG_PORT: '55432',
      KAFKA_BROKERS: '127.0.0.1:1,127.0.0.1:2',
    });
  });

  it('keeps = signs inside values', () => {
    expect(parseEnvFile('URL=postgres://u:p@h/db?a=b')).toEqual({ URL: 'postgres://u:p@h/db?a=b' });
  });
});
