/**
 * The handle a {@linkcode Pool} lends a resource through.
 *
 * @module
 */

/**
 * One loan of a pooled resource. Give it back with {@linkcode Lease.release} (or let
 * `await using` do it), or {@linkcode Lease.destroy} it if it is broken. Both are idempotent:
 * only the first call of either has an effect.
 *
 * @typeParam T The resource type.
 *
 * @example `await using` gives the resource back at the end of the block
 * ```ts
 * import { type Lease, Pool } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const pool = new Pool({ create: () => Promise.resolve({}), destroy() {} });
 * {
 *   await using lease: Lease<object> = await pool.acquire();
 *   assert.equal(pool.metrics().borrowed, 1);
 *   assert.equal(lease.released, false);
 * }
 * assert.equal(pool.metrics().borrowed, 0);
 * await pool.close();
 * ```
 */
export interface Lease<T> extends AsyncDisposable {
  /**
   * The lent resource.
   *
   * @throws {TypeError} After the lease was released or destroyed.
   */
  readonly resource: T;
  /** `true` once released, destroyed, or taken back by a forced `close()`. */
  readonly released: boolean;
  /** When the resource was lent, on the pool's clock (milliseconds). */
  readonly acquiredAt: number;
  /**
   * Gives the resource back to the pool. Idempotent; returns at once (a resource past its
   * lifetime is destroyed in the background).
   */
  release(): void;
  /**
   * Destroys the resource instead of giving it back (it is broken). Idempotent; a no-op after
   * {@linkcode Lease.release}.
   *
   * @returns Resolves when the factory has destroyed it (bounded by `destroyTimeout`).
   */
  destroy(): Promise<void>;
}
