/** The largest export chunk: its items' JSON text, in UTF-8 bytes. */
export const MAX_CHUNK_BYTES = 256 * 1024;

export interface ExportChunk {
  section: string;
  /** Each item one JSON object (text). */
  items: string[];
  bytes: number;
}

/**
 * Cuts one section's items into chunks of at most MAX_CHUNK_BYTES of JSON (an item larger
 * than that alone is a chunk of its own). Pure: the caller writes the chunks it gets.
 */
export class ExportChunker {
  private items: string[] = [];
  private bytes = 0;

  constructor(
    readonly section: string,
    private readonly maxBytes = MAX_CHUNK_BYTES,
  ) {}

  /** Adds an item; returns the full chunk it closed, if any. */
  add(item: unknown): ExportChunk | undefined {
    const json = JSON.stringify(item);
    const size = Buffer.byteLength(json, 'utf8');
    let closed: ExportChunk | undefined;
    if (this.items.length > 0 && this.bytes + size > this.maxBytes) closed = this.flush();
    this.items.push(json);
    this.bytes += size;
    return closed;
  }

  /** The chunk of the items added since the last one (undefined when none). */
  flush(): ExportChunk | undefined {
    if (this.items.length === 0) return undefined;
    const chunk = { section: this.section, items: this.items, bytes: this.bytes };
    this.items = [];
    this.bytes = 0;
    return chunk;
  }
}
