/**
 * Options of a `Pool` and of its `acquire()` and `close()`.
 *
 * @module
 */

import type { Clock } from "@pubkit/async";

/** Logs the pool's warnings (leaks, create failures, forced closes). `console` fits. */
export interface PoolLogger {
  /**
   * Logs one warning.
   *
   * @param message The warning.
   */
  warn(message: string): void;
}

/** Options of `new Pool(factory, options)`; every time is in milliseconds. */
export interface PoolOptions {
  /** Most resources alive at once, lent or idle. Default 10. */
  max?: number;
  /** Resources kept alive even when idle; `start()` creates them. Default 0. */
  min?: number;
  /** Longest an `acquire()` waits before `PoolTimeoutError`. Default 5000. */
  acquireTimeout?: number;
  /** Longest one `factory.create()` may take; its signal is aborted then. Default 5000. */
  createTimeout?: number;
  /** Longest one `factory.destroy()` is waited for. Default 5000. */
  destroyTimeout?: number;
  /** Longest one `factory.validate()` may take; a timeout counts as invalid. Default 5000. */
  validateTimeout?: number;
  /** An idle resource above `min` is destroyed after this long unused; 0 = never. Default 600000 (10 min). */
  idleTimeout?: number;
  /** A resource is retired after this long alive (less a random jitter); 0 = never. Default 1800000 (30 min). */
  maxLifetime?: number;
  /** Fraction of `maxLifetime` taken off at random per resource, so they do not all retire at once. Default 0.025. */
  maxLifetimeJitter?: number;
  /** A resource idle longer than this is validated before it is lent. Default 500. */
  validateAfterIdle?: number;
  /** Most callers waiting at once; more are refused with `PoolQueueFullError`. Default Infinity. */
  maxWaiting?: number;
  /** Warn (with the acquirer's stack) when a lease is held longer than this; 0 = off. Default 0. */
  leakDetectionThreshold?: number;
  /** First delay before creating again after a create failure; doubles per failure. Default 100. */
  createRetryDelay?: number;
  /** Upper bound of that delay. Default 5000. */
  createRetryMaxDelay?: number;
  /** How often idle resources are checked for `idleTimeout`, `maxLifetime` and `min`. Default 30000. */
  housekeepingInterval?: number;
  /** Name in log messages and telemetry (`db.client.connection.pool.name`). Default "pool". */
  name?: string;
  /** Time and timers; pass a `FakeClock` (from `@pubkit/async`) in tests. Default `systemClock`. */
  clock?: Clock;
  /** Where warnings go. Default: LogTape under `["pubkit", "pool"]` when configured, else `console`. */
  logger?: PoolLogger;
}

/** Options of `Pool.prototype.acquire()` and `Pool.prototype.use()`. */
export interface PoolAcquireOptions {
  /** Stops waiting and rejects with `signal.reason` when aborted. */
  signal?: AbortSignal;
  /** Longest wait in milliseconds; defaults to the pool's `acquireTimeout`. */
  timeout?: number;
}

/** Options of `Pool.prototype.close()`. */
export interface PoolCloseOptions {
  /**
   * How long, in milliseconds, to wait for outstanding leases before destroying their
   * resources anyway. Default 10000.
   */
  deadline?: number;
}
