/**
 * The gauges, counters and histogram `Pool.prototype.metrics()` returns.
 *
 * @module
 */

/** The acquire-wait histogram: non-cumulative counts per bucket. */
export interface WaitHistogram {
  /** Inclusive upper bounds in milliseconds; `counts` has one more slot, for longer waits. */
  bounds: readonly number[];
  /** Acquisitions per bucket (0 ms = served at once). */
  counts: number[];
  /** Acquisitions recorded (served ones; timeouts are counted in `timeouts`). */
  count: number;
  /** Sum of the recorded waits in milliseconds. */
  sum: number;
}

/** Gauges and counters of a `Pool`. */
export interface PoolMetrics {
  /** Resources alive: idle + borrowed + being validated. */
  size: number;
  /** Resources ready to lend. */
  idle: number;
  /** Resources lent out. */
  borrowed: number;
  /** Callers waiting. */
  pending: number;
  /** Creations in flight. */
  creating: number;
  /** Validations in flight. */
  validating: number;
  /** Resources created since the pool was made. */
  created: number;
  /** Resources destroyed since the pool was made. */
  destroyed: number;
  /** Acquisitions that timed out. */
  timeouts: number;
  /** Creations that failed. */
  createFailures: number;
  /** How long acquisitions waited. */
  acquireWait: WaitHistogram;
}
