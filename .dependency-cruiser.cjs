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
