// The console's production build: typed operations from the supergraph, then `vite build` into
// dist/console (what the gateway serves). Run by tools/build.mjs and `nx run console:build`.
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const started = Date.now();
execFileSync(bin('graphql-codegen'), ['--config', 'console/codegen.ts', '--silent'], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync(bin('vite'), ['build', 'console', '--logLevel', 'warn'], {
  cwd: root,
  stdio: 'inherit',
});
process.stdout.write(
  `built the console into dist/console in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
