import { ConfigError } from '@switchboard/config';
import {
  DEVELOPMENT_SUBGRAPH_SECRET,
  PassedQueries,
  secretMatches,
  subgraphSecretOf,
} from './subgraph-access';

describe('the subgraph secret', () => {
  it('is SUBGRAPH_SHARED_SECRET, or the development one in development and test mode only', () => {
    const secret = 's'.repeat(32);
    expect(subgraphSecretOf({ NODE_ENV: 'production', SUBGRAPH_SHARED_SECRET: secret })).toBe(
      secret,
    );
    expect(subgraphSecretOf({ NODE_ENV: 'development' })).toBe(DEVELOPMENT_SUBGRAPH_SECRET);
    expect(subgraphSecretOf({ NODE_ENV: 'test' })).toBe(DEVELOPMENT_SUBGRAPH_SECRET);
    for (const NODE_ENV of ['production', undefined]) {
      expect(() => subgraphSecretOf({ NODE_ENV })).toThrow(ConfigError);
      expect(() => subgraphSecretOf({ NODE_ENV })).toThrow(/SUBGRAPH_SHARED_SECRET/);
    }
  });

  it('matches only the same value, whatever the lengths', () => {
    expect(secretMatches('a-long-shared-secret', 'a-long-shared-secret')).toBe(true);
    expect(secretMatches('a-long-shared-secreT', 'a-long-shared-secret')).toBe(false);
    expect(secretMatches('short', 'a-long-shared-secret')).toBe(false);
    expect(secretMatches('', 'a-long-shared-secret')).toBe(false);
    expect(secretMatches(undefined, 'a-long-shared-secret')).toBe(false);
  });
});

describe('the query texts a subgraph remembers as within its limits', () => {
  it('knows a text once added, and only that text', () => {
    const passed = new PassedQueries();
    expect(passed.has('{ hello }')).toBe(false);
    passed.add('{ hello }');
    expect(passed.has('{ hello }')).toBe(true);
    expect(passed.has('{ hello  }')).toBe(false);
  });

  it('keeps the most recently used texts, up to its size', () => {
    const passed = new PassedQueries(2);
    passed.add('a');
    passed.add('b');
    expect(passed.has('a')).toBe(true); // now b is the least recently used
    passed.add('c');
    expect(passed.has('b')).toBe(false);
    expect(passed.has('a')).toBe(true);
    expect(passed.has('c')).toBe(true);
  });

  it('does not keep a text longer than its limit', () => {
    const passed = new PassedQueries(10, 8);
    passed.add('{ a b c }');
    expect(passed.has('{ a b c }')).toBe(false);
    passed.add('{ a b }');
    expect(passed.has('{ a b }')).toBe(true);
  });
});
