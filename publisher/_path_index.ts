/**
 * Exact lookup of request paths.
 *
 * @module
 */

/** Past this many paths of one length, a bucket is a `Map`. */
const MAX_SCANNED = 8;

/** The paths of one length and their values, at the same indexes; or a `Map` when many. */
type Bucket<T> = { paths: string[]; values: T[] } | Map<string, T>;

/**
 * Finds a value by its exact path. A path just sliced from a request URL has no hash yet, and
 * hashing it for a `Map` costs more than comparing it with the few known paths of its length
 * (comparison fails fast on the first differing character), so paths are bucketed by length
 * and a bucket is scanned unless it is large.
 */
export class PathIndex<T> {
  #byLength: Bucket<T>[] = [];

  /**
   * Indexes the entries; a later entry for the same path wins.
   *
   * @param entries `[path, value]` pairs.
   */
  constructor(entries: Iterable<readonly [string, T]>) {
    const lists: Map<string, T>[] = [];
    for (const [path, value] of entries) (lists[path.length] ??= new Map()).set(path, value);
    lists.forEach((map, length) => {
      this.#byLength[length] = map.size > MAX_SCANNED
        ? map
        : { paths: [...map.keys()], values: [...map.values()] };
    });
  }

  /**
   * Looks a path up.
   *
   * @param path The path.
   * @returns The value, or `undefined`.
   */
  get(path: string): T | undefined {
    const bucket = this.#byLength[path.length];
    if (bucket === undefined) return undefined;
    if (bucket instanceof Map) return bucket.get(path);
    const paths = bucket.paths;
    for (let i = 0; i < paths.length; i++) if (paths[i] === path) return bucket.values[i];
    return undefined;
  }
}
