// Copyright 2025 the pubkit authors. MIT license.
// What only the app knows, added to the traces Deno makes for `Deno.serve` (with OTEL_DENO=true):
// the route on the server span, and child spans for internal redirects and template renders.
// Nothing is allocated for a request whose span is not recording (telemetry off).
import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Dispatch, Req } from "@pubkit/request";

// Deno registers the OpenTelemetry API's global (OTEL_DENO=true) before any module runs, as an
// SDK of one's own must be registered before instrumented modules load; without one, every hook
// here returns at once, with no lookup of the global per call.
const ON = Symbol.for("opentelemetry.js.api.1") in globalThis;
const tracer = trace.getTracer("@pubkit/server");

/**
 * Sets `http.route` on the request's span and, on the server span (not along an internal
 * redirect, whose own span this is), the span name `METHOD route` as the HTTP conventions say.
 */
export function recordRoute(req: Req, route: string): void {
  if (!ON) return;
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute("http.route", route);
  if (req.prev === undefined) span.updateName(`${req.method} ${route}`);
}

/** `dispatch` with a `pubkit.internal_redirect` span around each redirect of a traced request. */
export function tracedDispatch(dispatch: Dispatch): Dispatch {
  if (!ON) return dispatch;
  return (request, prev) => {
    if (!trace.getActiveSpan()?.isRecording()) return dispatch(request, prev);
    const attributes = { "url.path": new URL(request.url).pathname, "pubkit.from": prev.path };
    return tracer.startActiveSpan(
      "pubkit.internal_redirect",
      { attributes },
      (span) => ended(span, dispatch(request, prev)),
    );
  };
}

/** `render()`, inside a `pubkit.render` span when the request is traced. */
export function tracedRender<T>(
  engine: "embedded" | "fill",
  name: string,
  render: () => Promise<T>,
): Promise<T> {
  if (!ON || !trace.getActiveSpan()?.isRecording()) return render();
  const attributes = { "pubkit.template.name": name, "pubkit.template.engine": engine };
  return tracer.startActiveSpan("pubkit.render", { attributes }, (span) => ended(span, render()));
}

/** `work`, ending `span` when it settles (with the error, when it fails). */
function ended<T>(span: Span, work: Promise<T>): Promise<T> {
  return work.then((value) => {
    span.end();
    return value;
  }, (error) => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    span.setAttribute("error.type", error?.name ?? "Error");
    span.end();
    throw error;
  });
}
