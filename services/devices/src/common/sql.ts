import type { SqlRunner } from '@switchboard/events';

/**
 * Rows of an `UPDATE`/`DELETE ... RETURNING`: TypeORM's postgres driver answers those with
 * `[rows, affectedCount]` (other statements with the rows alone).
 */
export async function updateReturning<T>(
  runner: SqlRunner,
  sql: string,
  parameters?: unknown[],
): Promise<T[]> {
  const result = (await runner.query(sql, parameters)) as unknown;
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
    return result[0] as T[];
  }
  return result as T[];
}
