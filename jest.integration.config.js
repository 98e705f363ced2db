// Tier 2: integration tests (*.integration-spec.ts) against the real local stack
// (PostgreSQL + the Kafka-protocol broker). Fails loudly when the stack is not up.
module.exports = {
  ...require('./jest.unit.config'),
  displayName: 'integration',
  testMatch: ['**/*.integration-spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  setupFiles: ['<rootDir>/libs/testing/src/setup-env.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
