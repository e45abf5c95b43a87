// Copyright 2025 the pubkit authors. MIT license.
/**
 * What pubkit's members share to report to OpenTelemetry: the API, loaded only when a global
 * is registered, and the one way a span ends around a piece of asynchronous work.
 *
 * @module
 */
import type * as Api from "@opentelemetry/api";

/**
 * The OpenTelemetry API when an API global is registered, else `undefined`.
 *
 * Deno registers the global (with `OTEL_DENO=true`) before any module runs, as an SDK of one's
 * own must be registered before instrumented modules load. Deciding once here means that with
 * telemetry off no hook looks anything up per call, and the API is not even loaded: importing
 * it is a tenth of a hello app's start-up.
 *
 * @example Instrumenting only when telemetry is on
 * ```ts
 * import { otel } from "@pubkit/async/telemetry";
 * import assert from "node:assert/strict";
 *
 * const tracer = otel?.trace.getTracer("my-lib");
 * // Without OTEL_DENO=true (as in `deno test` here) there is nothing to report to.
 * assert.equal(otel, undefined);
 * assert.equal(tracer, undefined);
 * ```
 */
export const otel: typeof Api | undefined = Symbol.for("opentelemetry.js.api.1") in globalThis
  ? await import("@opentelemetry/api")
  : undefined;

/** `SpanStatusCode.ERROR`, without loading the API for it. */
const ERROR = 2;

/** The part of an OpenTelemetry `Span` that {@linkcode endedWith} uses. */
export interface EndableSpan {
  /** Ends the span. */
  end(): void;
  /** Sets the span's status (`code` 2 is `SpanStatusCode.ERROR`). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Sets one attribute. */
  setAttribute(key: string, value: string): unknown;
}

/**
 * `work`, with `span` ended when it settles: on failure with an error status and `error.type`,
 * as the semantic conventions say, and the error passed on.
 *
 * @example
 * ```ts
 * import { endedWith } from "@pubkit/async/telemetry";
 * import assert from "node:assert/strict";
 *
 * const calls: string[] = [];
 * const span = {
 *   end: () => calls.push("end"),
 *   setStatus: () => calls.push("status"),
 *   setAttribute: (key: string, value: unknown) => calls.push(`${key}=${value}`),
 * };
 * await assert.rejects(endedWith(span, Promise.reject(new RangeError("no"))), RangeError);
 * assert.deepEqual(calls, ["status", "error.type=RangeError", "end"]);
 * ```
 *
 * @typeParam T What `work` resolves to.
 * @param span The span to end.
 * @param work The work the span covers.
 * @returns `work`'s outcome.
 */
export function endedWith<T>(span: EndableSpan, work: Promise<T>): Promise<T> {
  return work.then((value) => {
    span.end();
    return value;
  }, (error) => {
    span.setStatus({ code: ERROR, message: String(error) });
    span.setAttribute("error.type", error?.name ?? "Error");
    span.end();
    throw error;
  });
}
