// Writes charts/switchboard/files/generated.yaml (see chart-files.ts):
//   node tools/build.mjs && node dist/tools/deploy/src/render-chart-files.js
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topicCatalog } from '@switchboard/contracts';
import { chartFiles, GENERATED_FILE } from './chart-files';
import { parseServicesFile } from './components';

const root = resolve(__dirname, '../../../..');
const components = parseServicesFile(readFileSync(join(root, 'tools/services.txt'), 'utf8'));
writeFileSync(
  join(root, GENERATED_FILE),
  chartFiles(components, (path) => existsSync(join(root, path)), topicCatalog),
);
process.stdout.write(`wrote ${GENERATED_FILE}\n`);
