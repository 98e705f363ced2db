// Tier 1: pure unit tests (*.spec.ts) next to the code. No I/O.
module.exports = {
  ...require('./jest.preset'),
  displayName: 'unit',
  rootDir: __dirname,
  roots: [
    '<rootDir>/libs',
    '<rootDir>/services',
    '<rootDir>/gateway',
    '<rootDir>/tools',
    '<rootDir>/console',
  ].filter((d) => require('node:fs').existsSync(d.replace('<rootDir>', __dirname))),
  testMatch: ['**/*.spec.ts'],
};
