import { topicCatalog } from './topic-catalog';

describe('topic catalog', () => {
  it('names every topic <service>.<stream>.v<major> with a .dlq sibling', () => {
    for (const topic of topicCatalog) {
      expect(topic.name).toMatch(/^[a-z][a-z-]*\.[a-z][a-z-]*\.v\d+$/);
      expect(topic.dlq).toBe(`${topic.name}.dlq`);
    }
  });

  it('declares each topic once', () => {
    const names = topicCatalog.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps compacted topics forever and gives the others a retention', () => {
    for (const topic of topicCatalog) {
      if (topic.cleanupPolicy === 'compact') expect(topic.retentionMs).toBe(-1);
      else expect(topic.retentionMs).toBeGreaterThan(0);
      expect(topic.partitions).toBeGreaterThan(0);
    }
  });
});
