/**
 * Probes what `Deno.serve` itself enforces on slow request heads, slow bodies and idle
 * keep-alive connections, with raw TCP on 127.0.0.1. Each probe is bounded by `PROBE_SECONDS`
 * (default 120): a connection still open then is reported as "open after N s" (no deadline).
 *
 *   deno run -A bench/load/probe_deno_timeouts.ts
 */
const LIMIT_MS = Number(Deno.env.get("PROBE_SECONDS") ?? "120") * 1000;
const encoder = new TextEncoder();

interface ProbeResult {
  probe: string;
  outcome: string;
}

/** Resolves with the ms until the peer closes (read → null or error), or undefined at the cap. */
function closedAfter(conn: Deno.Conn, started: number, until: number): Promise<number | undefined> {
  return (async () => {
    const buf = new Uint8Array(4096);
    while (performance.now() < until) {
      const left = until - performance.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), left));
      const read = conn.read(buf).catch(() => null);
      const n = await Promise.race([read, timeout]);
      clearTimeout(timer);
      if (n === "timeout") return undefined;
      if (n === null) return performance.now() - started;
    }
    return undefined;
  })();
}

async function probe(
  name: string,
  port: number,
  script: (conn: Deno.Conn, stop: () => boolean) => Promise<void>,
): Promise<ProbeResult> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const started = performance.now();
  const until = started + LIMIT_MS;
  let closed = false;
  const watcher = closedAfter(conn, started, until).then((ms) => {
    closed = true;
    return ms;
  });
  const writer = script(conn, () => closed || performance.now() >= until).catch(() => {});
  const ms = await watcher;
  await writer;
  try {
    conn.close();
  } catch { /* already closed */ }
  return {
    probe: name,
    outcome: ms === undefined
      ? `still open after ${LIMIT_MS / 1000} s (no deadline)`
      : `closed by server after ${(ms / 1000).toFixed(1)} s`,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function dribble(conn: Deno.Conn, bytes: Uint8Array, everyMs: number, stop: () => boolean) {
  for (const byte of bytes) {
    if (stop()) return;
    await conn.write(Uint8Array.of(byte));
    await sleep(everyMs);
  }
}

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
  if (request.body) await request.arrayBuffer().catch(() => {});
  return new Response("ok\n");
});
const { port } = server.addr;

const results = await Promise.all([
  probe("connect, send nothing", port, async () => {}),
  probe("partial head, then silence", port, async (conn) => {
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n"));
  }),
  probe(
    "head dribbled 1 byte / 5 s",
    port,
    (conn, stop) =>
      dribble(
        conn,
        encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n" + "X-Slow: " + "a".repeat(200)),
        5000,
        stop,
      ),
  ),
  probe("idle keep-alive after one response", port, async (conn) => {
    await conn.write(encoder.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  }),
  probe("body dribbled 1 byte / 5 s (Content-Length 1000)", port, async (conn, stop) => {
    await conn.write(encoder.encode("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
    await dribble(conn, new Uint8Array(1000).fill(97), 5000, stop);
  }),
]);
await server.shutdown().catch(() => {});
console.log(`Deno ${Deno.version.deno}, Deno.serve defaults, probe cap ${LIMIT_MS / 1000} s`);
console.table(results);
