// Copyright 2025 the pubkit authors. MIT license.
// OpenTelemetry for session locks: a child span per lock wait of a traced request, and the
// wait-time histogram and timeout counter. With telemetry off (no API global) nothing is created
// and the hook returns at once.
import { endedWith, otel } from "@pubkit/async/telemetry";
import { LockTimeoutError } from "./errors.ts";
import type { SessionLock, SessionStore, StoreLockOptions } from "./session_store.ts";

function instruments(api: NonNullable<typeof otel>) {
  const meter = api.metrics.getMeter("@pubkit/session");
  return {
    tracer: api.trace.getTracer("@pubkit/session"),
    waitTime: meter.createHistogram("pubkit.session.lock.wait_time", {
      description: "How long requests waited for a session lock (including timed-out waits).",
      unit: "s",
    }),
    timeouts: meter.createCounter("pubkit.session.lock.timeouts", {
      description: "Session lock waits that ended by the lock timeout.",
      unit: "{timeout}",
    }),
  };
}

const on = otel && instruments(otel);

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
  if (on === undefined) return store.lock(id, owner, options);
  const started = performance.now();
  const recorded = store.lock(id, owner, options).then(
    (hold) => {
      on.waitTime.record((performance.now() - started) / 1000);
      return hold;
    },
    (error) => {
      on.waitTime.record((performance.now() - started) / 1000);
      if (error instanceof LockTimeoutError) on.timeouts.add(1);
      throw error;
    },
  );
  return otel!.trace.getActiveSpan()?.isRecording()
    ? endedWith(on.tracer.startSpan("pubkit.session.lock"), recorded)
    : recorded;
}
