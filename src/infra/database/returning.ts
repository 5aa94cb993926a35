/**
 * TypeORM's raw `query()` answers `UPDATE … RETURNING` / `DELETE … RETURNING` with
 * `[rows, affectedCount]`, but `INSERT … RETURNING` and `SELECT` with the rows themselves.
 * This returns the rows in every case.
 */
export function returningRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
