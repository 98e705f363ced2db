import { ConfigError } from '@switchboard/config';
import { DEVELOPMENT_SUBGRAPH_SECRET, secretMatches, subgraphSecretOf } from './subgraph-access';

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
