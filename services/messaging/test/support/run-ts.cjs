// Runs a TypeScript entry point in a plain `node` process, compiling with swc on the fly with
// the workspace's path aliases (as tools/build.mjs does): `node run-ts.cjs services/messaging/src/main.ts`.
// The restart test runs the messaging service this way, so it can kill it with SIGKILL.
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '../../../..');
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

require(resolve(process.argv[2]));
