// Compiles TypeScript to CommonJS under dist/ with swc (legacy decorators + metadata, which
// NestJS and TypeORM need). Import aliases come from tsconfig.base.json's "paths", so that file
// is the one place they are declared. Usage: node tools/build.mjs [projectRoot ...]
import { transformFile } from '@swc/core';
import { readFileSync, mkdirSync, writeFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const paths = tsconfig.compilerOptions.paths ?? {};

export const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2023',
    keepClassNames: true,
    baseUrl: root,
    paths,
  },
  module: { type: 'commonjs' },
  sourceMaps: true,
  swcrc: false,
};

const skip = /(\.spec|\.integration-spec|\.e2e-spec|\.d)\.ts$/;
function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist' && name !== 'test') yield* sources(full);
    } else if (name.endsWith('.ts') && !skip.test(name)) yield full;
  }
}

function projectRoots() {
  const roots = [];
  for (const group of ['libs', 'services', 'tools']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      if (existsSync(join(base, name, 'src'))) roots.push(join(group, name));
    }
  }
  if (existsSync(join(root, 'gateway', 'src'))) roots.push('gateway');
  return roots;
}

const wanted = process.argv.slice(2);
// The web console is bundled by Vite (console/build.mjs), not compiled file by file.
const buildConsole =
  existsSync(join(root, 'console', 'build.mjs')) && (!wanted.length || wanted.includes('console'));
const roots = (wanted.length ? wanted : projectRoots()).filter((project) => project !== 'console');
let count = 0;
await Promise.all(
  roots.flatMap((project) => {
    const src = join(root, project, 'src');
    if (!existsSync(src)) return [];
    return [...sources(src)].map(async (file) => {
      const out = join(root, 'dist', relative(root, file)).replace(/\.ts$/, '.js');
      const { code, map } = await transformFile(file, {
        ...swcOptions,
        filename: file,
        sourceFileName: relative(dirname(out), file),
      });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
      if (map) writeFileSync(`${out}.map`, map);
      count++;
    });
  }),
);
console.log(`built ${count} file(s) of ${roots.length} project(s) into dist/`);
if (buildConsole) {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [join(root, 'console', 'build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
}
