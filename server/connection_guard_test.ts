import assert from "node:assert/strict";
import { ConnectionGuard } from "./connection_guard.ts";

const encoder = new TextEncoder();

/** A server behind a guard with short deadlines. */
function guarded(headTimeout = 300, idleTimeout = 600) {
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (_request, info) => {
      seen.push(String(guard.clientOf((info.remoteAddr as Deno.NetAddr).port)?.hostname));
      return new Response("ok");
    },
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const guard = new ConnectionGuard(listener, server.addr, { headTimeout, idleTimeout });
  return {
    guard,
    seen,
    port: listener.addr.port,
    async [Symbol.asyncDispose]() {
      await guard.close();
      guard.closeAll();
      await server.shutdown();
    },
  };
}

/** Reads until the peer closes; resolves with the elapsed ms, or rejects after `limit` ms. */
async function closedWithin(conn: Deno.Conn, limit: number): Promise<number> {
  const started = performance.now();
  const buffer = new Uint8Array(4096);
  while (performance.now() - started < limit) {
    const n = await Promise.race([
      conn.read(buffer).catch(() => null),
      new Promise<"wait">((resolve) => setTimeout(() => resolve("wait"), 50)),
    ]);
    if (n === null) return performance.now() - started;
  }
  throw new Error(`the connection was still open after ${limit} ms`);
}

Deno.test("ConnectionGuard forwards kept-alive requests and maps the client address", async () => {
  await using env = guarded();
  for (let i = 0; i < 3; i++) {
    const response = await fetch(`http://127.0.0.1:${env.port}/`);
    assert.equal(await response.text(), "ok");
  }
  assert.deepEqual(env.seen, ["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
});

Deno.test("ConnectionGuard closes a connection whose head is not complete in time", async () => {
  await using env = guarded(300, 5_000);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: env.port });
  try {
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n"));
    const ms = await closedWithin(conn, 3_000);
    assert.ok(ms >= 200, `closed after ${ms.toFixed(0)} ms, not before the deadline`);
  } finally {
    conn.close();
  }
});

Deno.test("ConnectionGuard closes an idle kept-alive connection and a dribbled second head", async (t) => {
  await using env = guarded(300, 600);
  await t.step("idle after a response", async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: env.port });
    try {
      await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      const buffer = new Uint8Array(4096);
      const n = await conn.read(buffer);
      assert.match(new TextDecoder().decode(buffer.subarray(0, n ?? 0)), /^HTTP\/1.1 200/);
      await closedWithin(conn, 3_000);
    } finally {
      conn.close();
    }
  });
  await t.step("a second head dribbled a byte at a time", async () => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: env.port });
    try {
      await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
      await conn.read(new Uint8Array(4096));
      const dribble = (async () => {
        for (const byte of encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n")) {
          const sent = await conn.write(new Uint8Array([byte])).catch(() => 0);
          if (sent === 0) return;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const ms = await closedWithin(conn, 3_000);
      assert.ok(ms < 2_000, `closed after ${ms.toFixed(0)} ms`);
      await dribble;
    } finally {
      conn.close();
    }
  });
  assert.equal(env.guard.connections, 0);
});
