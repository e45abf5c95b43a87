/**
 * What `Pool.prototype.close()` reports.
 *
 * @module
 */

/** A lease that was still out when `Pool.prototype.close()`'s deadline passed. */
export interface OutstandingLease {
  /** When it was lent, on the pool's clock. */
  acquiredAt: number;
  /** How long it had been held when the pool took it back, in milliseconds. */
  heldFor: number;
  /** The acquirer's stack, when `leakDetectionThreshold` is on. */
  stack?: string;
}

/** What `Pool.prototype.close()` did. */
export interface PoolCloseReport {
  /** Leases still out at the deadline; their resources were destroyed anyway. */
  outstanding: OutstandingLease[];
  /** Resources destroyed by the close. */
  destroyed: number;
}
