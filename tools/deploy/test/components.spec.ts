import {
  DeployErrorCode,
  entrypointTarget,
  parseServicesFile,
  presentComponents,
  TOPICS_SCRIPT,
} from '../src/components';

const components = parseServicesFile(`
# name root port
accounts    services/accounts    4101
messaging   services/messaging   4103
billing     services/billing     4105
gateway     gateway              4000
`);
const built = new Set([
  'dist/services/accounts/src/main.js',
  'dist/services/accounts/src/migrate.js',
  'dist/services/messaging/src/main.js',
  'dist/gateway/src/main.js',
  TOPICS_SCRIPT,
]);
const exists = (path: string) => built.has(path);
const codeOf = (message: string) => message.split(':')[0];

describe('the image entrypoint', () => {
  it('reads tools/services.txt', () => {
    expect(components).toEqual([
      { name: 'accounts', root: 'services/accounts', port: 4101 },
      { name: 'messaging', root: 'services/messaging', port: 4103 },
      { name: 'billing', root: 'services/billing', port: 4105 },
      { name: 'gateway', root: 'gateway', port: 4000 },
    ]);
  });

  it('runs a component, its migrations, or the topics job', () => {
    expect(entrypointTarget(['accounts'], components, exists)).toEqual({
      script: 'dist/services/accounts/src/main.js',
      args: [],
    });
    expect(entrypointTarget(['gateway'], components, exists).script).toBe(
      'dist/gateway/src/main.js',
    );
    expect(entrypointTarget(['migrate', 'accounts'], components, exists)).toEqual({
      script: 'dist/services/accounts/src/migrate.js',
      args: [],
    });
    expect(entrypointTarget(['topics', '--dry-run'], components, exists)).toEqual({
      script: TOPICS_SCRIPT,
      args: ['--dry-run'],
    });
  });

  it.each([
    [['nope'], DeployErrorCode.UNKNOWN_COMPONENT],
    [['billing'], DeployErrorCode.COMPONENT_NOT_BUILT],
    [['migrate'], DeployErrorCode.MISSING_ARGUMENT],
    [['migrate', 'messaging'], DeployErrorCode.NOTHING_TO_MIGRATE],
    [['migrate', 'billing'], DeployErrorCode.COMPONENT_NOT_BUILT],
  ])('refuses %j with %s', (argv, code) => {
    expect(() => entrypointTarget(argv, components, exists)).toThrow(
      expect.objectContaining({ code }),
    );
    try {
      entrypointTarget(argv, components, exists);
    } catch (error) {
      expect(codeOf((error as Error).message)).toBe(code);
    }
  });

  it('lists only components whose code exists (the gateway with a supergraph)', () => {
    const sources = new Set([
      'services/accounts/src/main.ts',
      'services/messaging/src/main.ts',
      'gateway/src/main.ts',
    ]);
    expect(presentComponents(components, (p) => sources.has(p)).map((c) => c.name)).toEqual([
      'accounts',
      'messaging',
    ]);
    sources.add('gateway/supergraph.graphql');
    expect(presentComponents(components, (p) => sources.has(p)).map((c) => c.name)).toEqual([
      'accounts',
      'messaging',
      'gateway',
    ]);
  });
});
