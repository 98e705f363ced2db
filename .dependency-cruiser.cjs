// Module boundaries: a service imports libs/ only, never another service; libs never import
// services or the gateway. (CONVENTIONS §12)
module.exports = {
  forbidden: [
    {
      name: 'service-imports-other-service',
      severity: 'error',
      comment: 'Services talk through Kafka only; share code through libs/.',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/([^/]+)/', pathNot: '^services/$1/' },
    },
    {
      name: 'lib-imports-app',
      severity: 'error',
      comment: 'libs/ are shared by every app and cannot depend on one.',
      from: { path: '^libs/' },
      to: { path: '^(services|gateway|tools)/' },
    },
    {
      name: 'gateway-imports-service',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^services/' },
    },
    // Inside a service (issue 9): one direction, no circles, pure rules, thin transports.
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import circles hide a layering problem; break them by moving the shared piece down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ holds the rules: plain TS importing only domain/ and pure packages.',
      from: { path: '^services/[^/]+/src/domain/', pathNot: '\\.spec\\.ts$' },
      to: {
        pathNot: [
          '^services/[^/]+/src/domain/',
          '^libs/sms/',
          '^libs/service-kit/src/signed-link\\.ts$',
          'node_modules/libphonenumber-js/',
        ],
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'common-imports-no-feature',
      severity: 'error',
      comment: 'common/ is service-wide and below the features: it imports none of them.',
      from: { path: '^services/([^/]+)/src/common/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^services/$1/src/[^/]+/', pathNot: '^services/$1/src/(common|domain)/' },
    },
    {
      name: 'transport-imports-no-repository',
      severity: 'error',
      comment: 'A resolver, controller or consumer calls a service, never a repository.',
      from: { path: '\\.(resolver|controller|consumer)\\.ts$' },
      to: { path: '\\.repository\\.ts$' },
    },
    {
      name: 'feature-calls-no-other-feature-repository',
      severity: 'error',
      comment:
        'A feature calls the features below it through their services, never their repositories (accounts first; widen the path as services follow).',
      from: { path: '^services/accounts/src/([^/]+)/' },
      to: {
        path: '^services/accounts/src/[^/]+/[^/]+\\.repository\\.ts$',
        pathNot: '^services/accounts/src/$1/',
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|gen)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['require', 'node', 'default'],
    },
  },
};
