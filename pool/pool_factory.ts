/**
 * The interface a {@linkcode Pool} uses to make, check and dispose of its resources.
 *
 * @module
 */

/**
 * Makes, checks and disposes of the resources a {@linkcode Pool} lends.
 *
 * Run the conformance suite in `@pubkit/pool/testing` (`testFactory`) against every
 * implementation.
 *
 * @typeParam T The resource type (a connection, a client, a handle).
 *
 * @example A factory of plain objects
 * ```ts
 * import { Pool, type PoolFactory } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const factory: PoolFactory<{ open: boolean }> = {
 *   create(signal) {
 *     signal.throwIfAborted();
 *     return Promise.resolve({ open: true });
 *   },
 *   destroy(resource) {
 *     resource.open = false;
 *   },
 *   validate: (resource) => resource.open,
 * };
 * const pool = new Pool(factory);
 * assert.equal(await pool.use((r) => r.open), true);
 * await pool.close();
 * ```
 */
export interface PoolFactory<T> {
  /**
   * Creates one resource. The pool aborts `signal` when `createTimeout` passes or the pool
   * closes; an implementation should stop connecting then and reject (a late result is
   * destroyed by the pool all the same).
   *
   * @param signal Aborted when the pool no longer wants the resource.
   * @returns The new resource.
   */
  create(signal: AbortSignal): Promise<T>;
  /**
   * Disposes of a resource. The pool waits for it at most `destroyTimeout` and logs a failure.
   *
   * @param resource A resource this factory created.
   */
  destroy(resource: T): Promise<void> | void;
  /**
   * Tells whether a resource still works (e.g. `SELECT 1`). Called before lending a resource
   * that sat idle longer than `validateAfterIdle`, and when a resource comes back from a
   * {@linkcode Pool.prototype.use} callback that threw. Bounded by `validateTimeout`; a
   * rejection or a timeout counts as `false`.
   *
   * @param resource A resource this factory created.
   * @returns `true` if the resource can be lent.
   */
  validate?(resource: T): Promise<boolean> | boolean;
  /**
   * A cheap synchronous check, called at every lend and every return: `true` when the
   * resource is known to be broken (its connection reported an error or ended), so the pool
   * destroys it instead of lending it again.
   *
   * @param resource A resource this factory created.
   * @returns `true` if the resource must not be lent again.
   */
  isBroken?(resource: T): boolean;
  /**
   * Tells whether an error thrown while using a resource means the resource itself is gone
   * (e.g. PostgreSQL's `57P01 terminating connection due to administrator command`), as
   * opposed to an error of the work done with it. {@linkcode Pool.prototype.use} then destroys
   * the resource and rejects with `PoolResourceError` (the server answers 503: try again).
   *
   * @param error What the callback threw.
   * @param resource The resource it was using.
   * @returns `true` if the resource must be destroyed.
   */
  isFatalError?(error: unknown, resource: T): boolean;
}
