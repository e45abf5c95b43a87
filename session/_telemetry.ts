// Copyright 2025 the pubkit authors. MIT license.
// OpenTelemetry for session locks: a child span per lock wait of a traced request, and the
// wait-time histogram and timeout counter. With telemetry off the API is a no-op.
import { metrics, SpanStatusCode, trace } from "@opentelemetry/api";
import { LockTimeoutError } from "./errors.ts";
import type { SessionLock, SessionStore, StoreLockOptions } from "./session_store.ts";

// Deno registers the OpenTelemetry API's global (OTEL_DENO=true) before any module runs, as an
// SDK of one's own must be registered before instrumented modules load; without one, every hook
// here returns at once, with no lookup of the global per call.
const ON = Symbol.for("opentelemetry.js.api.1") in globalThis;
const tracer = trace.getTracer("@pubkit/session");
const meter = metrics.getMeter("@pubkit/session");
const waitTime = meter.createHistogram("pubkit.session.lock.wait_time", {
  description: "How long requests waited for a session lock (including timed-out waits).",
  unit: "s",
});
const timeouts = meter.createCounter("pubkit.session.lock.timeouts", {
  description: "Session lock waits that ended by the lock timeout.",
  unit: "{timeout}",
});

/**
 * `store.lock(id, owner, options)`, measured: a `pubkit.session.lock` span under the active
 * span when that one is recording, the wait in `pubkit.session.lock.wait_time`, and a timeout
 * counted in `pubkit.session.lock.timeouts`.
 */
export function lockMeasured(
  store: SessionStore,
  id: string,
  owner: unknown,
  options: StoreLockOptions,
): Promise<SessionLock> {
  if (!ON) return store.lock(id, owner, options);
  const started = performance.now();
  const parent = trace.getActiveSpan();
  const span = parent?.isRecording() ? tracer.startSpan("pubkit.session.lock") : undefined;
  return store.lock(id, owner, options).then(
    (hold) => {
      waitTime.record((performance.now() - started) / 1000);
      span?.end();
      return hold;
    },
    (error) => {
      waitTime.record((performance.now() - started) / 1000);
      if (error instanceof LockTimeoutError) timeouts.add(1);
      if (span) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        span.setAttribute("error.type", error?.name ?? "Error");
        span.end();
      }
      throw error;
    },
  );
}
