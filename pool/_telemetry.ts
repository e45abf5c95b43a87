// Copyright 2025 the pubkit authors. MIT license.
// OpenTelemetry for a pool, named as the semantic conventions name database connection pools
// (`db.client.connection.*`): gauges read from `pool.metrics()` at each collection, the
// acquire-wait histogram, and a child span for an acquire of a traced request that has to
// wait. With telemetry off (no API global) nothing is created and every hook returns at once.
import type { Attributes, BatchObservableCallback } from "@opentelemetry/api";
import { endedWith, otel } from "@pubkit/async/telemetry";
import type { PoolMetrics } from "./pool_metrics.ts";

const POOL_NAME = "db.client.connection.pool.name";

/** A metric's description and unit, as the semantic conventions give them. */
const about = (description: string, unit: string) => ({ description, unit });

function instruments(api: NonNullable<typeof otel>) {
  const meter = api.metrics.getMeter("@pubkit/pool");
  return {
    tracer: api.trace.getTracer("@pubkit/pool"),
    meter,
    count: meter.createObservableUpDownCounter(
      "db.client.connection.count",
      about("Resources of the pool, by state (idle or used).", "{connection}"),
    ),
    pending: meter.createObservableUpDownCounter(
      "db.client.connection.pending_requests",
      about("Callers waiting for a resource.", "{request}"),
    ),
    timeouts: meter.createObservableCounter(
      "db.client.connection.timeouts",
      about("Acquisitions that timed out.", "{timeout}"),
    ),
    waitTime: meter.createHistogram(
      "db.client.connection.wait_time",
      about("How long acquisitions waited for a resource.", "s"),
    ),
  };
}

const on = otel && instruments(otel);

/** One pool's instruments; observes the pool until {@linkcode PoolTelemetry.close}. */
export class PoolTelemetry {
  #attributes: Attributes;
  #observe: BatchObservableCallback | undefined;

  constructor(name: string, read: () => PoolMetrics) {
    this.#attributes = { [POOL_NAME]: name };
    if (on === undefined) return;
    const { count, pending, timeouts } = on;
    const attributes = this.#attributes;
    const idle = { [POOL_NAME]: name, "db.client.connection.state": "idle" };
    const used = { [POOL_NAME]: name, "db.client.connection.state": "used" };
    this.#observe = (result) => {
      const m = read();
      result.observe(count, m.idle, idle);
      result.observe(count, m.borrowed, used);
      result.observe(pending, m.pending, attributes);
      result.observe(timeouts, m.timeouts, attributes);
    };
    on.meter.addBatchObservableCallback(this.#observe, [count, pending, timeouts]);
  }

  /** An acquisition served at once. */
  servedAtOnce(): void {
    if (on !== undefined) on.waitTime.record(0, this.#attributes);
  }

  /** `waiting`, with its wait recorded and, under a recording span, a child span around it. */
  waited<T>(waiting: Promise<T>): Promise<T> {
    if (on === undefined) return waiting;
    const started = performance.now();
    const attributes = this.#attributes;
    const recorded = waiting.finally(() =>
      on.waitTime.record((performance.now() - started) / 1000, attributes)
    );
    return otel!.trace.getActiveSpan()?.isRecording()
      ? endedWith(on.tracer.startSpan("pubkit.pool.acquire", { attributes }), recorded)
      : recorded;
  }

  /** Stops observing the pool (it is closed); idempotent. */
  close(): void {
    if (on !== undefined && this.#observe !== undefined) {
      on.meter.removeBatchObservableCallback(this.#observe, [on.count, on.pending, on.timeouts]);
    }
    this.#observe = undefined;
  }
}
