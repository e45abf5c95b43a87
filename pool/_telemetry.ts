// Copyright 2025 the pubkit authors. MIT license.
// OpenTelemetry for a pool, named as the semantic conventions name database connection pools
// (`db.client.connection.*`): gauges read from `pool.metrics()` at each collection, the
// acquire-wait histogram, and a child span for an acquire of a traced request that has to
// wait. With telemetry off the API is a no-op.
import {
  type Attributes,
  type BatchObservableCallback,
  metrics,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { PoolMetrics } from "./pool_metrics.ts";

// Deno registers the OpenTelemetry API's global (OTEL_DENO=true) before any module runs, as an
// SDK of one's own must be registered before instrumented modules load; without one, every hook
// here returns at once, with no lookup of the global per call.
const ON = Symbol.for("opentelemetry.js.api.1") in globalThis;
const tracer = trace.getTracer("@pubkit/pool");
const meter = metrics.getMeter("@pubkit/pool");
const count = meter.createObservableUpDownCounter("db.client.connection.count", {
  description: "Resources of the pool, by state (idle or used).",
  unit: "{connection}",
});
const pending = meter.createObservableUpDownCounter("db.client.connection.pending_requests", {
  description: "Callers waiting for a resource.",
  unit: "{request}",
});
const timeouts = meter.createObservableCounter("db.client.connection.timeouts", {
  description: "Acquisitions that timed out.",
  unit: "{timeout}",
});
const waitTime = meter.createHistogram("db.client.connection.wait_time", {
  description: "How long acquisitions waited for a resource.",
  unit: "s",
});
const POOL_NAME = "db.client.connection.pool.name";

/** One pool's instruments; observes the pool until {@linkcode PoolTelemetry.close}. */
export class PoolTelemetry {
  #attributes: Attributes;
  #observe: BatchObservableCallback | undefined;

  constructor(name: string, read: () => PoolMetrics) {
    this.#attributes = { [POOL_NAME]: name };
    if (!ON) return;
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
    meter.addBatchObservableCallback(this.#observe, [count, pending, timeouts]);
  }

  /** An acquisition served at once. */
  servedAtOnce(): void {
    if (ON) waitTime.record(0, this.#attributes);
  }

  /** `waiting`, with its wait recorded and, under a recording span, a child span around it. */
  waited<T>(waiting: Promise<T>): Promise<T> {
    if (!ON) return waiting;
    const started = performance.now();
    const span = trace.getActiveSpan()?.isRecording()
      ? tracer.startSpan("pubkit.pool.acquire", { attributes: this.#attributes })
      : undefined;
    return waiting.then((lease) => {
      waitTime.record((performance.now() - started) / 1000, this.#attributes);
      span?.end();
      return lease;
    }, (error) => {
      if (span) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        span.setAttribute("error.type", error?.name ?? "Error");
        span.end();
      }
      throw error;
    });
  }

  /** Stops observing the pool (it is closed); idempotent. */
  close(): void {
    if (this.#observe) {
      meter.removeBatchObservableCallback(this.#observe, [count, pending, timeouts]);
    }
    this.#observe = undefined;
  }
}
