/**
 * Deadlines and limits of a served app, over real HTTP on 127.0.0.1: the body-read deadline
 * (408 + Connection: close), the request-target limit (414) and what Deno itself refuses.
 */
import assert from "node:assert/strict";
import { type App, type AppOptions, createApp } from "@pubkit/server";

interface Served extends AsyncDisposable {
  app: App;
  port: number;
}

async function serve(options: Omit<AppOptions, "accessLog">): Promise<Served> {
  const app = createApp({ ...options, accessLog: false, log: () => {} });
  const abort = new AbortController();
  const listening = Promise.withResolvers<URL>();
  const stopped = app.serve({
    port: 0,
    signal: abort.signal,
    handleSignals: false,
    shutdownTimeout: 2_000,
    onListen: (url) => listening.resolve(url),
  });
  const url = await listening.promise;
  return {
    app,
    port: Number(url.port),
    async [Symbol.asyncDispose]() {
      abort.abort();
      await stopped;
    },
  };
}

/** Sends raw bytes and reads one response with a Content-Length (or until close or `ms`). */
async function raw(port: number, text: string, ms = 5_000): Promise<{ reply: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const decoder = new TextDecoder();
  let reply = "";
  const deadline = setTimeout(() => conn.close(), ms);
  try {
    // Written concurrently: a server may answer before it has read everything.
    conn.write(new TextEncoder().encode(text)).catch(() => {});
    const buffer = new Uint8Array(16 * 1024);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      reply += decoder.decode(buffer.subarray(0, n));
      const end = reply.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: (\d+)\r\n/i.exec(reply);
      if (end >= 0 && length && reply.length >= end + 4 + Number(length[1])) break;
    }
  } catch {
    // reset by the server, or closed at our deadline
  } finally {
    clearTimeout(deadline);
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  return { reply };
}

Deno.test("a served app answers a dribbled body with 408 and Connection: close", async () => {
  await using served = await serve({
    bodyDeadline: { timeout: 300, minBytesPerSecond: 0 },
    handler: async (req) => `fields ${[...await req.form()].length}`,
  });
  let stopped = false;
  const dribble = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (stopped) controller.close();
      else controller.enqueue(new TextEncoder().encode("a"));
    },
    cancel() {
      stopped = true;
    },
  });
  const started = performance.now();
  try {
    const response = await fetch(`http://127.0.0.1:${served.port}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: dribble,
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 408);
    assert.equal(response.headers.get("connection"), "close");
    assert.match(await response.text(), /Cannot read the request body: it took longer than 300 ms/);
    assert.ok(performance.now() - started < 10_000);
  } finally {
    stopped = true;
  }
});

Deno.test("a served app applies the deadline to bodies read without req.form()", async () => {
  await using served = await serve({
    bodyDeadline: { timeout: 5_000, minBytesPerSecond: 1_000, grace: 200 },
    handler: async (req) => `${(await req.request.text()).length} bytes`,
  });
  const head =
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nab";
  const { reply } = await raw(served.port, head, 3_000);
  assert.match(reply, /^HTTP\/1\.1 408 /);
  assert.match(reply, /\r\nconnection: close\r\n/);
  assert.match(reply, /below 1000 bytes per second/);
});

Deno.test("a served app reads a prompt body within the deadline", async () => {
  await using served = await serve({
    bodyDeadline: { timeout: 5_000 },
    handler: async (req) => `fields ${[...await req.form()].length}`,
  });
  const response = await fetch(`http://127.0.0.1:${served.port}/`, {
    method: "POST",
    body: new URLSearchParams({ a: "1", b: "x".repeat(100_000) }),
  });
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "fields 2");
});

Deno.test("a served app answers a request target over 8 KiB with 414", async (t) => {
  await using served = await serve({ handler: (req) => `path ${req.path.length}` });
  await t.step("8 KiB exactly is served", async () => {
    const path = "/" + "a".repeat(8 * 1024 - 1);
    const { reply } = await raw(
      served.port,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 200 /);
  });
  await t.step("one byte more is 414 with a message", async () => {
    const path = "/?q=" + "a".repeat(8 * 1024 - 3);
    const request = `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const { reply } = await raw(served.port, request);
    assert.match(reply, /^HTTP\/1\.1 414 /);
    assert.match(reply, /its target is 8193 bytes, over the limit of 8192/);
  });
  await t.step("Deno itself refuses a 64 KiB target with 400", async () => {
    const path = "/" + "a".repeat(64 * 1024);
    const { reply } = await raw(served.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 400 /);
  });
});

Deno.test("a served app answers an oversized chunked upload with 413 and Connection: close", async () => {
  await using served = await serve({
    formLimits: { maxUrlEncodedBytes: 1024 },
    handler: async (req) => `fields ${[...await req.form()].length}`,
  });
  // No Content-Length: the limit holds on the bytes actually read.
  const head = "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
    "Transfer-Encoding: chunked\r\n\r\n";
  const chunk = `1000\r\n${"a".repeat(0x1000)}\r\n`;
  // Deno 2.9.6 sends the Connection: close header but keeps the socket open until the client
  // closes it (docs/RELIABILITY.md), so this waits for the reply only.
  const { reply } = await raw(served.port, head + chunk + chunk, 2_000);
  assert.match(reply, /^HTTP\/1\.1 413 /);
  assert.match(reply, /\r\nconnection: close\r\n/);
  assert.match(reply, /maxUrlEncodedBytes/);
});

Deno.test("createApp() refuses bad deadline options at construction", () => {
  assert.throws(() => createApp({ handler: () => "", bodyDeadline: { timeout: -1 } }), RangeError);
  assert.throws(() => createApp({ handler: () => "", maxTargetBytes: NaN }), RangeError);
});
