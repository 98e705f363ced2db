// Composes gateway/supergraph.graphql from the subgraph schemas the services commit
// (services/<name>/schema.graphql). `--check` fails when the committed file is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { composeSupergraph } from './compose';
import { committedSubgraphs } from './subgraphs';

const root = resolve(process.env.SWITCHBOARD_ROOT ?? process.cwd());
const target = join(root, 'gateway', 'supergraph.graphql');
const subgraphs = committedSubgraphs(root);
const check = process.argv.includes('--check');
const say = (line: string) => process.stdout.write(`${line}\n`);

if (subgraphs.length === 0) {
  say('no subgraph has committed a schema yet; nothing to compose');
  process.exit(existsSync(target) && check ? 1 : 0);
}
const supergraph = `${composeSupergraph(subgraphs).trim()}\n`;
if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== supergraph) {
    console.error(
      'gateway/supergraph.graphql is stale: run `node dist/gateway/src/compose-supergraph.js` (after `node tools/build.mjs gateway`)',
    );
    process.exit(1);
  }
  say(`supergraph up to date (${subgraphs.map((s) => s.name).join(', ')})`);
} else {
  writeFileSync(target, supergraph);
  say(`wrote ${target} from ${subgraphs.map((s) => s.name).join(', ')}`);
}
