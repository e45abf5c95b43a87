/**
 * The connection type `PostgresFactory` lends.
 *
 * @module
 */

/** A query's result, as `pg` returns it. */
export interface PostgresQueryResult<R> {
  /** The rows, one object per row keyed by column name. */
  rows: R[];
  /** Rows returned or affected, or `null` for commands that do not count rows. */
  rowCount: number | null;
  /** The SQL command, e.g. "SELECT". */
  command: string;
}

/**
 * The pooled connection: a `pg` `Client`, typed here by the part pooled code needs. Cast it
 * to `pg.Client` for the rest of `pg`'s API (but never `end()` it: destroy the lease).
 */
export interface PostgresClient {
  /**
   * Runs one parameterized query.
   *
   * @typeParam R The row shape.
   * @param text SQL with `$1`, `$2`, ... placeholders.
   * @param values The parameters.
   * @returns The result.
   */
  query<R = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<PostgresQueryResult<R>>;
}
