import { ExportChunker, MAX_CHUNK_BYTES } from './export-chunker';

describe('ExportChunker', () => {
  it('keeps every chunk within the limit, items whole and in order', () => {
    const chunker = new ExportChunker('messages');
    const chunks = [];
    for (let i = 0; i < 2000; i++) {
      const closed = chunker.add({ id: i, body: 'x'.repeat(500) });
      if (closed) chunks.push(closed);
    }
    chunks.push(chunker.flush()!);
    expect(chunker.flush()).toBeUndefined();
    for (const c of chunks) {
      expect(c.bytes).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
      expect(c.section).toBe('messages');
      expect(c.bytes).toBe(c.items.reduce((n, i) => n + Buffer.byteLength(i), 0));
    }
    const ids = chunks.flatMap((c) => c.items.map((i) => (JSON.parse(i) as { id: number }).id));
    expect(ids).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('counts UTF-8 bytes and gives an oversized item a chunk of its own', () => {
    const chunker = new ExportChunker('s', 100);
    expect(chunker.add({ t: 'é'.repeat(30) })).toBeUndefined(); // 68 bytes
    const closed = chunker.add({ t: 'y'.repeat(200) });
    expect(closed!.items).toHaveLength(1);
    expect(chunker.flush()!.items).toHaveLength(1);
  });
});
