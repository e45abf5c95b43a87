import { Histogram, WAIT_BUCKETS } from "./_histogram.ts";
import type { PoolMetrics } from "./pool_metrics.ts";

/** The pool's gauges and counters, which `Pool.prototype.metrics()` reports. */
export class PoolStats {
  /** Resources alive: idle + borrowed + being validated. */
  size = 0;
  borrowed = 0;
  creating = 0;
  validating = 0;
  created = 0;
  destroyed = 0;
  timeouts = 0;
  createFailures = 0;
  readonly wait: Histogram = new Histogram();

  /** A snapshot, with the gauges the pool keeps elsewhere. */
  snapshot(idle: number, pending: number): PoolMetrics {
    return {
      size: this.size,
      idle,
      borrowed: this.borrowed,
      pending,
      creating: this.creating,
      validating: this.validating,
      created: this.created,
      destroyed: this.destroyed,
      timeouts: this.timeouts,
      createFailures: this.createFailures,
      acquireWait: {
        bounds: WAIT_BUCKETS,
        counts: Array.from(this.wait.counts),
        count: this.wait.count,
        sum: this.wait.sum,
      },
    };
  }
}
