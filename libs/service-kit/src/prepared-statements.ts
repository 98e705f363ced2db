import { createHash } from 'node:crypto';
import { Client, type QueryResult } from 'pg';

/** DATABASE_PREPARED_STATEMENTS unset: the hot paths of a service use a dozen or two. */
export const DEFAULT_PREPARED_STATEMENTS = 64;

/** Texts remembered as seen once before the memory is cleared (one-off statements). */
const SEEN_ONCE_LIMIT = 1_000;

/**
 * PostgreSQL's refusal of a prepared statement whose result columns changed ("cached plan must
 * not change result type"): told by its code and the routine raising it, which unlike the
 * message do not depend on the server's language.
 */
function resultTypeChanged(error: unknown): boolean {
  const { code, routine } = error as { code?: string; routine?: string };
  return code === '0A000' && routine === 'RevalidateCachedQuery';
}

/**
 * Which parameterized statements of a process run as named (prepared) statements: a text gets a
 * name the second time it is seen, until `limit` texts have one. A statement that recurs — a
 * repository's fixed SQL — is parsed, analysed and (once PostgreSQL settles on a generic plan)
 * planned once per connection instead of on every execution; a one-off text (a batch of a size
 * seen once) never takes a place. Each connection keeps a plan per name it ran (tens of KiB for
 * a statement with subqueries), so `limit` bounds the database's memory per connection.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seenOnce = new Set<string>();

  constructor(private readonly limit: number) {}

  /** The name `text` runs under; undefined while it has not recurred or the names are used up. */
  nameOf(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= this.limit) return name;
    if (!this.seenOnce.delete(text)) {
      if (this.seenOnce.size >= SEEN_ONCE_LIMIT) this.seenOnce.clear();
      this.seenOnce.add(text);
      return undefined;
    }
    const named = `sb_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    this.names.set(text, named);
    return named;
  }
}

/**
 * A `pg` Client class that runs the recurring parameterized statements `names` picks as named
 * statements (the pool's `Client`, see DatabaseModule). Nothing else changes: the same text and
 * values, the same result. When a schema change alters a prepared statement's result columns
 * (a migration of a newer release while this one runs), PostgreSQL refuses it on this connection
 * once; the connection then prepares the text anew under another name.
 */
export function preparingClient(names: StatementNames): typeof Client {
  return class PreparingClient extends Client {
    /** Texts whose prepared statement went stale here: how many times (a name each). */
    private readonly stale = new Map<string, number>();

    override query(...args: unknown[]): never {
      const [text, values, callback] = args;
      if (
        typeof text !== 'string' ||
        !Array.isArray(values) ||
        values.length === 0 ||
        callback !== undefined
      ) {
        return (super.query as (...a: unknown[]) => never).apply(this, args);
      }
      const named = names.nameOf(text);
      if (named === undefined) return (super.query as (...a: unknown[]) => never).apply(this, args);
      const stale = this.stale.get(text) ?? 0;
      const name = stale === 0 ? named : `${named}_${stale}`;
      return (super.query({ name, text, values }) as Promise<QueryResult>).catch(
        (error: unknown) => {
          if (resultTypeChanged(error)) this.stale.set(text, stale + 1);
          throw error;
        },
      ) as never;
    }
  };
}
