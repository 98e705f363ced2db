// Prints every topic of the catalog (libs/contracts) with its partition count, one per line,
// DLQ siblings included: the broker launcher creates exactly these.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
execFileSync(process.execPath, [join(root, 'tools/build.mjs'), 'libs/contracts'], {
  stdio: 'ignore',
});
const { topicCatalog } = createRequire(import.meta.url)(
  join(root, 'dist/libs/contracts/src/index.js'),
);
for (const topic of topicCatalog) {
  console.log(`${topic.name} ${topic.partitions}`);
  console.log(`${topic.dlq} ${topic.partitions}`);
}
