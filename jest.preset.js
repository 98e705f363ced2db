// Shared jest settings: swc transform with decorator metadata, the tsconfig "paths" aliases,
// and a transform for the ESM-only packages (NestJS 12 and friends) so jest's CommonJS
// runtime can load them.
const { join } = require('node:path');
const tsconfig = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(tsconfig.compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[/]/g, '\\/')}$`] = join(__dirname, target);
}

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
    swcrc: false,
  },
];

const esmPackages = [
  'jose',
  '@nestjs',
  '@apollo',
  '@as-integrations',
  'uid',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  'load-esm',
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)sx?$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
