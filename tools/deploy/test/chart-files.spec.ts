import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topicCatalog } from '@switchboard/contracts';
import { chartFiles, GENERATED_FILE } from '../src/chart-files';
import { parseServicesFile } from '../src/components';

const ROOT = resolve(__dirname, '../../..');

describe("the chart's generated file", () => {
  it('matches tools/services.txt and the topic catalog (else: node dist/tools/deploy/src/render-chart-files.js)', () => {
    const components = parseServicesFile(readFileSync(join(ROOT, 'tools/services.txt'), 'utf8'));
    const expected = chartFiles(components, (p) => existsSync(join(ROOT, p)), topicCatalog);
    expect(readFileSync(join(ROOT, GENERATED_FILE), 'utf8')).toBe(expected);
  });

  it('holds every catalog topic and its DLQ, without the replication-dependent settings', () => {
    const body = JSON.parse(
      chartFiles([], () => false, topicCatalog)
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n'),
    ) as { topics: { name: string; config: Record<string, string> }[] };
    expect(body.topics.map((t) => t.name).sort()).toEqual(
      topicCatalog.flatMap((t) => [t.name, t.dlq]).sort(),
    );
    for (const t of body.topics) {
      expect(Object.keys(t.config).sort()).toEqual(['cleanup.policy', 'retention.ms']);
    }
  });
});
