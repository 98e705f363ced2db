// The image's entrypoint (Dockerfile ENTRYPOINT): `node dist/tools/deploy/src/entrypoint.js
// <component> | migrate <component> | topics [args] | help`. Runs the chosen script in this
// process (node stays PID 1 and gets the signals the services handle), from the image's
// working directory, which holds dist/, node_modules/ and tools/services.txt.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { entrypointTarget, parseServicesFile } from './components';

const root = resolve(__dirname, '../../../..');
const components = parseServicesFile(readFileSync(join(root, 'tools/services.txt'), 'utf8'));
const argv = process.argv.slice(2);

if (argv.length === 0 || argv[0] === 'help') {
  const built = components.filter((c) => existsSync(join(root, `dist/${c.root}/src/main.js`)));
  process.stdout.write(
    `usage: <component> | migrate <component> | topics [--dry-run]\ncomponents: ${built.map((c) => c.name).join(', ')}\n`,
  );
} else {
  try {
    const target = entrypointTarget(argv, components, (path) => existsSync(join(root, path)));
    const script = join(root, target.script);
    // The script reads its own arguments (parseArgs) as if it had been started directly.
    process.argv = [process.argv[0], script, ...target.args];
    require(script);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
}
