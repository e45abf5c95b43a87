/**
 * Telemetry end to end: the app in testdata/telemetry_app runs with Deno's OpenTelemetry on,
 * exporting OTLP/HTTP (JSON) to a receiver in this test; its spans, their parents and attributes
 * and the pool and session-lock metrics are checked as a collector would receive them.
 */
import assert from "node:assert/strict";

const APP = new URL("./testdata/telemetry_app/main.ts", import.meta.url).pathname;

type Value = { stringValue?: string; intValue?: string | number };
type Attribute = { key: string; value: Value };
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Attribute[];
}
interface Metric {
  name: string;
  sum?: { dataPoints: { attributes: Attribute[]; asDouble?: number }[] };
  histogram?: { dataPoints: { attributes: Attribute[]; count: string | number }[] };
}

function attribute(item: { attributes: Attribute[] }, key: string): string | number | undefined {
  const value = item.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
}

/** An OTLP/HTTP receiver on loopback that keeps what it is sent, decoded from JSON. */
function receiver() {
  const spans: Span[] = [];
  const metrics: Metric[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const body = await request.json();
    const path = new URL(request.url).pathname;
    if (path === "/v1/traces") {
      for (const r of body.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
    } else if (path === "/v1/metrics") {
      for (const r of body.resourceMetrics) {
        for (const s of r.scopeMetrics) metrics.push(...s.metrics);
      }
    }
    return Response.json({});
  });
  return { server, spans, metrics };
}

/** Waits (bounded) until `ready()` holds. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("with OTEL_DENO=true a request's route, session lock, pool wait, redirect and render are spans under its server span, and the pool and lock metrics are exported", async () => {
  const otlp = receiver();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-no-legacy-abort", APP],
    env: {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp.server.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_METRIC_EXPORT_INTERVAL: "200",
      OTEL_SERVICE_NAME: "pubkit-telemetry-test",
    },
    stdout: "piped",
  }).spawn();
  try {
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let output = "";
    while (!/Listening on (\S+)\n/.test(output)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`The app ended before listening: ${output}`);
      output += value;
    }
    lines.releaseLock();
    const url = new URL(/Listening on (\S+)\n/.exec(output)![1]);

    const visit = await fetch(new URL("/visit", url));
    assert.equal(await visit.text(), "visited");
    const cookie = visit.headers.get("set-cookie")!.split(";")[0];
    const work = await fetch(new URL("/work", url), { headers: { cookie } });
    assert.equal(work.status, 200);
    assert.equal(await work.text(), "<p>visits: 1</p>\n");
    // A second request of the session while /hold has its lock: it times out (503).
    const holding = fetch(new URL("/hold", url), { headers: { cookie } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await fetch(new URL("/visit", url), { headers: { cookie } });
    assert.equal(refused.status, 503);
    await refused.body?.cancel();
    assert.equal(await (await holding).text(), "held");

    const { spans, metrics } = otlp;
    const named = (name: string) => spans.filter((span) => span.name === name);
    await until(
      () => named("pubkit.render").length > 0 && named("GET /work").length > 0,
      "the spans of GET /work",
    );
    const [server] = named("GET /work");
    assert.equal(attribute(server, "http.route"), "/work");
    const children = spans.filter((span) => span.parentSpanId === server.spanId);
    const [lock] = children.filter((span) => span.name === "pubkit.session.lock");
    const [acquire] = children.filter((span) => span.name === "pubkit.pool.acquire");
    const [redirect] = children.filter((span) => span.name === "pubkit.internal_redirect");
    assert.ok(lock, `a session lock span under the server span; got ${JSON.stringify(children)}`);
    assert.ok(acquire, "a pool acquire span under the server span");
    assert.ok(redirect, "an internal redirect span under the server span");
    assert.equal(attribute(acquire, "db.client.connection.pool.name"), "things");
    assert.equal(attribute(redirect, "url.path"), "/view");
    assert.equal(attribute(redirect, "http.route"), "/view");
    const [render] = named("pubkit.render");
    assert.equal(render.parentSpanId, redirect.spanId, "the view renders inside the redirect");
    assert.equal(attribute(render, "pubkit.template.name"), "page");
    for (const span of [lock, acquire, redirect, render]) {
      assert.equal(span.traceId, server.traceId, `${span.name} is in the request's trace`);
    }

    assert.equal(
      named("GET /visit")[0].parentSpanId,
      "",
      "the session's first request is named too",
    );
    await until(() => named("GET /visit").length === 2, "the span of the refused request");
    const refusedSpan = named("GET /visit").find((span) =>
      attribute(span, "http.response.status_code") === "503"
    )!;
    const timedOut = spans.find((span) => span.parentSpanId === refusedSpan.spanId)!;
    assert.equal(timedOut.name, "pubkit.session.lock");
    assert.equal(attribute(timedOut, "error.type"), "LockTimeoutError");

    const metric = (name: string) => metrics.filter((m) => m.name === name);
    await until(
      () =>
        metric("db.client.connection.count").length > 0 &&
        metric("pubkit.session.lock.wait_time").length > 0 &&
        metric("pubkit.session.lock.timeouts").length > 0,
      "the pool and session lock metrics",
    );
    const points = metric("db.client.connection.count").flatMap((m) => m.sum!.dataPoints);
    const idle = points.filter((p) =>
      attribute(p, "db.client.connection.pool.name") === "things" &&
      attribute(p, "db.client.connection.state") === "idle"
    );
    assert.equal(idle.at(-1)!.asDouble, 1, "the released resource is idle");
    const waits = metric("db.client.connection.wait_time").flatMap((m) => m.histogram!.dataPoints);
    assert.equal(Number(waits.at(-1)!.count), 1, "one acquisition recorded");
    assert.ok(metric("db.client.connection.pending_requests").length > 0);
    const locks = metric("pubkit.session.lock.wait_time").flatMap((m) => m.histogram!.dataPoints);
    assert.ok(Number(locks.at(-1)!.count) >= 3, "the lock waits recorded");
    const timeouts = metric("pubkit.session.lock.timeouts").flatMap((m) => m.sum!.dataPoints);
    assert.equal(timeouts.at(-1)!.asDouble, 1, "the lock timeout counted");
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // It has already ended.
    }
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await otlp.server.shutdown();
  }
});
