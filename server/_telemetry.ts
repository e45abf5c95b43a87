// Copyright 2025 the pubkit authors. MIT license.
// What only the app knows, added to the traces Deno makes for `Deno.serve` (with OTEL_DENO=true):
// the route on the server span, and child spans for internal redirects and template renders.
// With telemetry off (no API global) every hook returns at once and nothing is allocated.
import { endedWith, otel } from "@pubkit/async/telemetry";
import type { Dispatch, Req } from "@pubkit/request";

const tracer = otel?.trace.getTracer("@pubkit/server");

/** The request's span when it is recording. */
function recordingSpan() {
  const span = otel!.trace.getActiveSpan();
  return span !== undefined && span.isRecording() ? span : undefined;
}

/**
 * Sets `http.route` on the request's span and, on the server span (not along an internal
 * redirect, whose own span this is), the span name `METHOD route` as the HTTP conventions say.
 */
export function recordRoute(req: Req, route: string): void {
  if (tracer === undefined) return;
  const span = recordingSpan();
  if (span === undefined) return;
  span.setAttribute("http.route", route);
  if (req.prev === undefined) span.updateName(`${req.method} ${route}`);
}

/** `dispatch` with a `pubkit.internal_redirect` span around each redirect of a traced request. */
export function tracedDispatch(dispatch: Dispatch): Dispatch {
  if (tracer === undefined) return dispatch;
  return (request, prev) => {
    if (recordingSpan() === undefined) return dispatch(request, prev);
    const attributes = { "url.path": new URL(request.url).pathname, "pubkit.from": prev.path };
    return tracer.startActiveSpan(
      "pubkit.internal_redirect",
      { attributes },
      (span) => endedWith(span, dispatch(request, prev)),
    );
  };
}

/** `render()`, inside a `pubkit.render` span when the request is traced. */
export function tracedRender<T>(
  engine: "embedded" | "fill",
  name: string,
  render: () => Promise<T>,
): Promise<T> {
  if (tracer === undefined || recordingSpan() === undefined) return render();
  const attributes = { "pubkit.template.name": name, "pubkit.template.engine": engine };
  return tracer.startActiveSpan(
    "pubkit.render",
    { attributes },
    (span) => endedWith(span, render()),
  );
}
