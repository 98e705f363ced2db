// Runs a bench/*.ts file (TypeScript, compiled on the fly with swc and the workspace's path
// aliases): `require('./run-ts.cjs')('platform.ts')`. Needs the local stack (tools/stack/stack.sh up).
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '..');
const paths = require(join(root, 'tsconfig.base.json')).compilerOptions.paths;

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
      baseUrl: root,
      paths,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
    swcrc: false,
  });
  module._compile(code, filename);
};

module.exports = (file) => require(join(__dirname, file));
