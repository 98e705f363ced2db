// Tier 3: end-to-end tests under e2e/ that drive the whole platform the way users do.
module.exports = {
  ...require('./jest.preset'),
  displayName: 'e2e',
  rootDir: __dirname,
  roots: ['<rootDir>/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/e2e/global-setup.ts',
  globalTeardown: '<rootDir>/e2e/global-teardown.ts',
  setupFiles: ['<rootDir>/libs/testing/src/setup-env.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
