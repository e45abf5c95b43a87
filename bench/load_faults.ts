/**
 * Load and faults on loopback, bounded in time, printed as a table (docs/RELIABILITY.md).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 \
 *     deno run -A bench/load_faults.ts
 *
 * Each row starts its own server process (bench/load/server.ts) on 127.0.0.1:0, loads it, breaks
 * something, and stops it. Every loop is bounded in count and time; the whole run takes about
 * two minutes. Rows whose parts are missing (no DATABASE_URL, no REDIS_URL) print "not run".
 * Row 5 stops the local Redis and restarts it in a `finally` with the command from the brief.
 */
const HOST = "127.0.0.1";
const SERVER = new URL("./load/server.ts", import.meta.url).pathname;
const encoder = new TextEncoder();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The server process

interface Server {
  port: number;
  pid: number;
  lines: string[];
  stop(): Promise<Deno.CommandStatus>;
  status: Promise<Deno.CommandStatus>;
}

async function startServer(mode: string, env: Record<string, string> = {}): Promise<Server> {
  const clean = Deno.env.toObject();
  delete clean.REDIS_URL;
  delete clean.DATABASE_URL;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SERVER, mode],
    env: { ...clean, ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const port = Promise.withResolvers<number>();
  (async () => {
    const decoder = new TextDecoderStream();
    let rest = "";
    for await (const text of child.stdout.pipeThrough(decoder)) {
      rest += text;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const match = /^PORT (\d+)$/.exec(line);
        if (match) port.resolve(Number(match[1]));
      }
    }
    port.reject(new Error(`server (${mode}) exited before listening`));
  })();
  (async () => {
    // Server errors go to stderr; keep the last few for the report, not the terminal.
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
      for (const line of text.split("\n")) if (line) lines.push(`stderr: ${line}`);
    }
  })();
  const timer = setTimeout(() => port.reject(new Error("server did not listen in 30 s")), 30_000);
  const listening = await port.promise.finally(() => clearTimeout(timer));
  const status = child.status;
  return {
    port: listening,
    pid: child.pid,
    lines,
    status,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 15_000);
      try {
        return await status;
      } finally {
        clearTimeout(killer);
      }
    },
  };
}

interface ProcStats {
  rssMiB: number;
  fds: number;
}

function procStats(pid: number): ProcStats {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    let fds = 0;
    for (const _ of Deno.readDirSync(`/proc/${pid}/fd`)) fds++;
    return { rssMiB: Math.round(rss), fds };
  } catch {
    return { rssMiB: NaN, fds: NaN };
  }
}

// ---------------------------------------------------------------------------------------------
// Load

interface Sample {
  status: number; // 0 for a network error
  ms: number;
  legit: boolean;
  at: number; // ms since the load started
  error?: string;
}

interface LoadOptions {
  port: number;
  /** Builds the next request; `legit` marks the requests whose latency is judged. */
  next: (i: number) => { path: string; init?: RequestInit; legit: boolean };
  concurrency: number;
  maxRequests: number;
  maxMs: number;
  timeoutMs?: number;
}

async function load(options: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = performance.now();
  let issued = 0;
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: options.concurrency });
  const worker = async () => {
    while (issued < options.maxRequests && performance.now() - started < options.maxMs) {
      const { path, init, legit } = options.next(issued++);
      const t0 = performance.now();
      try {
        const response = await fetch(`http://${HOST}:${options.port}${path}`, {
          ...init,
          client,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        } as RequestInit);
        await response.arrayBuffer();
        samples.push({
          status: response.status,
          ms: performance.now() - t0,
          legit,
          at: t0 - started,
        });
      } catch (error) {
        samples.push({
          status: 0,
          ms: performance.now() - t0,
          legit,
          at: t0 - started,
          error: error instanceof Error
            ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ""}`
            : String(error),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  client.close();
  return samples;
}

function p99(samples: Sample[]): number {
  const times = samples.filter((s) => s.legit && s.status > 0).map((s) => s.ms).sort((a, b) =>
    a - b
  );
  if (times.length === 0) return NaN;
  return times[Math.min(times.length - 1, Math.floor(times.length * 0.99))];
}

function classes(samples: Sample[]): string {
  const counts: Record<string, number> = {};
  for (const { status } of samples) {
    const key = status === 0 ? "err" : `${Math.floor(status / 100)}xx`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return ["2xx", "3xx", "4xx", "5xx", "err"].filter((k) => counts[k]).map((k) =>
    `${k} ${counts[k]}`
  )
    .join(", ");
}

// ---------------------------------------------------------------------------------------------
// Raw TCP clients

interface RawConn {
  conn: Deno.TcpConn;
  reply: string;
  closedAt?: number;
  done: Promise<void>;
}

async function rawConnect(port: number, started: number): Promise<RawConn> {
  const conn = await Deno.connect({ hostname: HOST, port });
  const raw: RawConn = { conn, reply: "", done: Promise.resolve() };
  raw.done = (async () => {
    const buffer = new Uint8Array(8192);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        if (raw.reply.length < 4096) raw.reply += new TextDecoder().decode(buffer.subarray(0, n));
      }
    } catch { /* reset, or closed by us */ }
    raw.closedAt ??= performance.now() - started;
  })();
  return raw;
}

function rawClose(raw: RawConn): void {
  try {
    raw.conn.close();
  } catch { /* already closed */ }
}

// ---------------------------------------------------------------------------------------------
// Rows

interface Row {
  row: string;
  requests: number | string;
  statuses: string;
  p99ms: string;
  rssMiB: string;
  fds: string;
  result: string;
  note: string;
}

const rows: Row[] = [];

function record(
  row: string,
  samples: Sample[] | undefined,
  before: ProcStats,
  after: ProcStats,
  pass: boolean,
  note: string,
  extra?: { requests?: number | string; statuses?: string },
): void {
  rows.push({
    row,
    requests: extra?.requests ?? samples?.length ?? 0,
    statuses: extra?.statuses ?? (samples ? classes(samples) : ""),
    p99ms: samples ? p99(samples).toFixed(1) : "-",
    rssMiB: `${before.rssMiB} → ${after.rssMiB}`,
    fds: `${before.fds} → ${after.fds}`,
    result: pass ? "pass" : "FAIL",
    note,
  });
  console.error(`  ${row}: ${pass ? "pass" : "FAIL"} — ${note}`);
}

function notRun(row: string, reason: string): void {
  rows.push({
    row,
    requests: "-",
    statuses: "-",
    p99ms: "-",
    rssMiB: "-",
    fds: "-",
    result: "not run",
    note: reason,
  });
  console.error(`  ${row}: not run — ${reason}`);
}

const LEGIT = { path: "/hello", legit: true };

const HOSTILE: { path: string; init?: RequestInit }[] = [
  { path: "/..%2f..%2fetc/passwd" },
  { path: "/%2e%2e/%2e%2e/" },
  { path: "/hello/%zz" },
  { path: "/_config" },
  { path: "/hello?" + "q=" + "a".repeat(9000) }, // 414
  { path: "/hello?name=%E0%A4%A" },
  { path: "/hello?__proto__[polluted]=1&constructor[prototype][x]=1" },
  { path: "/hello", init: { headers: { cookie: "sid=" + "A".repeat(43) + ".forged" } } },
  {
    path: "/hello",
    init: {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=X" },
      body: '--X\r\nContent-Disposition: form-data; name="a"\r\n\r\nno final boundary',
    },
  },
  {
    path: "/hello",
    init: {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "a=%&" + "x=1&".repeat(2000),
    },
  },
];

async function rowBaselineAndHostile(): Promise<number> {
  const server = await startServer("example");
  let baseline = NaN;
  try {
    // Warm-up: compile pages and fill caches before measuring.
    await load({
      port: server.port,
      next: () => LEGIT,
      concurrency: 8,
      maxRequests: 400,
      maxMs: 10_000,
    });
    let before = procStats(server.pid);
    const base = await load({
      port: server.port,
      next: () => LEGIT,
      concurrency: 32,
      maxRequests: 4000,
      maxMs: 20_000,
    });
    let after = procStats(server.pid);
    baseline = p99(base);
    const baseOk = base.every((s) => s.status === 200);
    record("1 baseline (example /hello)", base, before, after, baseOk, `all 200: ${baseOk}`);

    before = procStats(server.pid);
    const mixed = await load({
      port: server.port,
      next: (i) =>
        i % 10 === 9 ? { ...HOSTILE[(i / 10 | 0) % HOSTILE.length], legit: false } : LEGIT,
      concurrency: 32,
      maxRequests: 4000,
      maxMs: 20_000,
    });
    after = procStats(server.pid);
    const mixedP99 = p99(mixed);
    const no5xx = mixed.every((s) => s.status > 0 && s.status < 500);
    const legitOk = mixed.filter((s) => s.legit).every((s) => s.status === 200);
    // 1.5× the baseline, with 2 ms of absolute slack for sub-millisecond baselines.
    const within = mixedP99 <= Math.max(baseline * 1.5, baseline + 2);
    record(
      "2 + 10% hostile",
      mixed,
      before,
      after,
      no5xx && legitOk && within,
      `legit p99 ${mixedP99.toFixed(1)} vs baseline ${baseline.toFixed(1)} ms (${
        (mixedP99 / baseline).toFixed(2)
      }×); no 5xx: ${no5xx}; hostile → ${classes(mixed.filter((s) => !s.legit))}`,
    );
  } finally {
    await server.stop();
  }
  return baseline;
}

async function rowSlowConnections(): Promise<void> {
  const server = await startServer("example");
  const conns: { kind: "head" | "body" | "idle"; raw: RawConn }[] = [];
  let stopped = false;
  try {
    await load({
      port: server.port,
      next: () => LEGIT,
      concurrency: 4,
      maxRequests: 100,
      maxMs: 5_000,
    });
    const before = procStats(server.pid);
    const started = performance.now();
    for (let i = 0; i < 500; i++) {
      const kind = (["head", "body", "idle"] as const)[i % 3];
      const raw = await rawConnect(server.port, started);
      conns.push({ kind, raw });
      if (kind === "head") {
        await raw.conn.write(encoder.encode("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: "));
      } else if (kind === "body") {
        await raw.conn.write(encoder.encode(
          "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
            "Content-Length: 10000\r\n\r\nname=",
        ));
      } else {
        await raw.conn.write(encoder.encode("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
      }
    }
    // Dribble one byte a second on heads and bodies, for 12 s, while legitimate load runs.
    const dribble = (async () => {
      for (let tick = 0; tick < 12 && !stopped; tick++) {
        await sleep(1000);
        await Promise.all(
          conns.filter((c) => c.kind !== "idle" && c.raw.closedAt === undefined)
            .map((c) => c.raw.conn.write(encoder.encode("a")).catch(() => {})),
        );
      }
    })();
    const legit = await load({
      port: server.port,
      next: () => LEGIT,
      concurrency: 8,
      maxRequests: 100_000,
      maxMs: 12_000,
    });
    stopped = true;
    await dribble;
    const during = procStats(server.pid);
    const count = (kind: string, test: (c: RawConn) => boolean) =>
      conns.filter((c) => c.kind === kind && test(c.raw)).length;
    const total = (kind: string) => conns.filter((c) => c.kind === kind).length;
    const got408 = count("body", (c) => / 408 /.test(c.reply.split("\r\n")[0]));
    const closedCounts: Record<string, number> = {};
    for (const kind of ["head", "body", "idle"]) {
      closedCounts[kind] = count(kind, (c) => c.closedAt !== undefined);
    }
    const closed = (kind: string) => closedCounts[kind];
    for (const { raw } of conns) rawClose(raw);
    await Promise.all(conns.map((c) => c.raw.done));
    await sleep(500);
    const after = procStats(server.pid);
    const legitOk = legit.length > 0 && legit.every((s) => s.status === 200);
    const allClosed = ["head", "body", "idle"].every((k) => closed(k) === total(k));
    record(
      "3 500 slow connections",
      legit,
      before,
      after,
      legitOk && got408 === total("body") && allClosed,
      `legit all 200: ${legitOk}; body dribblers got 408: ${got408}/${total("body")}; ` +
        `closed by the server within 12 s: heads ${closed("head")}/${total("head")}, bodies ` +
        `${closed("body")}/${total("body")}, idle ${closed("idle")}/${
          total("idle")
        } (serve({ connectionDeadlines }) closes them: Deno.serve alone has no head or idle ` +
        `deadline; fds during: ${during.fds})`,
    );
  } finally {
    stopped = true;
    for (const { raw } of conns) rawClose(raw);
    await server.stop();
  }
}

async function rowUploads(): Promise<void> {
  const server = await startServer("faults");
  try {
    const before = procStats(server.pid);
    let peakRss = before.rssMiB;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, procStats(server.pid).rssMiB);
    }, 100);
    const started = performance.now();
    const chunk = encoder.encode(`10000\r\n${"a".repeat(0x10000)}\r\n`);
    const results = await Promise.all(Array.from({ length: 20 }, async () => {
      const raw = await rawConnect(server.port, started);
      let written = 0;
      let writtenAtReply = -1;
      await raw.conn.write(encoder.encode(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=B\r\n" +
          "Transfer-Encoding: chunked\r\n\r\n",
      ));
      const head = '--B\r\nContent-Disposition: form-data; name="f"; filename="big"\r\n\r\n';
      await raw.conn.write(encoder.encode(`${head.length.toString(16)}\r\n${head}\r\n`));
      // Send 64 MiB like a client that ignores an early answer, but stop 2 s after the answer
      // (or at 30 s): how much more the server accepts shows whether it drains the body.
      const deadline = started + 30_000;
      let repliedAt = Infinity;
      while (
        written < 64 * 1024 * 1024 && performance.now() < Math.min(deadline, repliedAt + 2_000)
      ) {
        if (writtenAtReply < 0 && raw.reply.includes("\r\n\r\n")) {
          writtenAtReply = written;
          repliedAt = performance.now();
        }
        const wrote = await Promise.race([
          raw.conn.write(chunk).then(() => true, () => false),
          sleep(1000).then(() => false),
        ]);
        if (!wrote) break;
        written += 0x10000;
      }
      if (writtenAtReply < 0) writtenAtReply = written;
      await Promise.race([raw.done, sleep(1000)]);
      rawClose(raw);
      await raw.done;
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw.reply)?.[1] ?? 0);
      const read = Number(/read (\d+) largest (\d+)/.exec(raw.reply)?.[1] ?? NaN);
      const largest = Number(/read (\d+) largest (\d+)/.exec(raw.reply)?.[2] ?? NaN);
      return { status, read, largest, written };
    }));
    clearInterval(sampler);
    await sleep(500);
    const after = procStats(server.pid);
    const limit = 1024 * 1024;
    const all413 = results.every((r) => r.status === 413);
    const maxRead = Math.max(...results.map((r) => r.read));
    const maxChunk = Math.max(...results.map((r) => r.largest));
    const readOk = results.every((r) => r.read <= limit + r.largest);
    const rssOk = peakRss - before.rssMiB < 256;
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
    record(
      "4 20 × 64 MiB uploads to a 1 MiB route",
      undefined,
      before,
      after,
      all413 && readOk && rssOk,
      `all 413: ${all413}; most read by the parser ${mib(maxRead)} MiB (limit 1 MiB + largest ` +
        `chunk ${
          (maxChunk / 1024).toFixed(0)
        } KiB); peak RSS ${peakRss} MiB; client bytes accepted ` +
        `by the socket per upload up to ${mib(Math.max(...results.map((r) => r.written)))} MiB`,
      {
        requests: 20,
        statuses: results.map((r) => r.status).join(",").replace(/(413,)+413/, "413 ×20"),
      },
    );
  } finally {
    await server.stop();
  }
}

async function redis(...args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(args[0], {
      args: args.slice(1),
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

async function rowRedis(): Promise<void> {
  const url = Deno.env.get("REDIS_URL");
  if (!url) return notRun("5 Redis stopped and restarted", "REDIS_URL is not set");
  const server = await startServer("faults", { REDIS_URL: url });
  try {
    await load({
      port: server.port,
      next: () => ({ path: "/counter", legit: true }),
      concurrency: 4,
      maxRequests: 50,
      maxMs: 5_000,
    });
    const before = procStats(server.pid);
    const faults = (async () => {
      await sleep(2_000);
      await redis("redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave");
      await sleep(2_000);
    })();
    let restartedAt = NaN;
    const restart = faults.finally(async () => {
      await redis(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        "6379",
        "--save",
        "",
        "--appendonly",
        "no",
      );
      restartedAt = 4_000;
    });
    const samples = await load({
      port: server.port,
      next: () => ({ path: "/counter", legit: true }),
      concurrency: 16,
      maxRequests: 100_000,
      maxMs: 9_000,
      timeoutMs: 15_000,
    });
    await restart;
    const after = procStats(server.pid);
    const bad = samples.filter((s) => s.status === 0 || (s.status >= 500 && s.status !== 503));
    const late = samples.filter((s) => s.at > restartedAt + 2_000);
    const recovered = late.length > 0 && late.every((s) => s.status === 200);
    const outage = samples.filter((s) => s.status === 503).length;
    record(
      "5 Redis stopped 2 s, restarted",
      samples,
      before,
      after,
      bad.length === 0 && recovered,
      `503 during the outage: ${outage}; other 5xx or errors: ${bad.length}; all 200 from 2 s ` +
        `after the restart: ${recovered} (${late.length} requests)`,
    );
  } finally {
    await redis("redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping") ||
      await redis(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        "6379",
        "--save",
        "",
        "--appendonly",
        "no",
      );
    await server.stop();
  }
}

async function rowPostgres(): Promise<void> {
  const url = Deno.env.get("DATABASE_URL");
  if (!url) return notRun("6 PostgreSQL backends terminated", "DATABASE_URL is not set");
  const server = await startServer("faults", { DATABASE_URL: url });
  try {
    await load({
      port: server.port,
      next: () => ({ path: "/pg", legit: true }),
      concurrency: 8,
      maxRequests: 200,
      maxMs: 5_000,
    });
    const before = procStats(server.pid);
    let killed = 0;
    const faults = (async () => {
      for (const at of [1_500, 1_500]) {
        await sleep(at);
        const out = await new Deno.Command("psql", {
          args: [
            url,
            "-At",
            "-c",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'pubkit-load'",
          ],
          stdout: "piped",
          stderr: "null",
        }).output();
        killed += Number(new TextDecoder().decode(out.stdout).trim() || 0);
      }
    })();
    const samples = await load({
      port: server.port,
      next: () => ({ path: "/pg", legit: true }),
      concurrency: 16,
      maxRequests: 100_000,
      maxMs: 6_000,
    });
    await faults;
    const after = procStats(server.pid);
    const s500 = samples.filter((s) => s.status === 500).length;
    const s503 = samples.filter((s) => s.status === 503).length;
    const errors = samples.filter((s) => s.status === 0).length;
    const late = samples.filter((s) => s.at > 4_000);
    const recovered = late.length > 0 && late.every((s) => s.status === 200);
    record(
      "6 PostgreSQL backends terminated ×2",
      samples,
      before,
      after,
      s500 === 0 && errors === 0 && recovered,
      `backends terminated: ${killed}; 500s: ${s500}; 503s: ${s503}; network errors: ${errors}; ` +
        `all 200 after the last kill: ${recovered}; server log: ${
          server.lines.find((l) => l.startsWith("stderr")) ?? "-"
        }`,
    );
  } finally {
    await server.stop();
  }
}

async function rowSigterm(): Promise<void> {
  const server = await startServer("faults", {
    ...(Deno.env.get("DATABASE_URL") ? { DATABASE_URL: Deno.env.get("DATABASE_URL")! } : {}),
  });
  const before = procStats(server.pid);
  let signalledAt = NaN;
  const signal = (async () => {
    await sleep(1_500);
    signalledAt = 1_500;
    Deno.kill(server.pid, "SIGTERM");
  })();
  const samples = await load({
    port: server.port,
    next: () => ({ path: "/slow", legit: true }),
    concurrency: 20,
    maxRequests: 100_000,
    maxMs: 4_000,
  });
  await signal;
  const after = procStats(server.pid); // gone by now: NaN
  const status = await Promise.race([server.status, sleep(15_000).then(() => undefined)]);
  if (!status) await server.stop();
  const refused = (s: Sample) => s.status === 0 && /refused/i.test(s.error ?? "");
  // A request that started before the signal and failed without an answer was dropped.
  const dropped = samples.filter((s) => s.status === 0 && !refused(s) && s.at < signalledAt);
  const inflightOk = samples.filter((s) => s.at < signalledAt).every((s) => s.status === 200);
  const cleaned = ["CLEANED sessions", "CLEANED pool"].every((l) => server.lines.includes(l));
  const exitOk = status?.code === 0;
  record(
    "7 SIGTERM under load",
    samples.filter((s) => s.status !== 0 || !refused(s)),
    before,
    after,
    dropped.length === 0 && inflightOk && cleaned && exitOk,
    `requests started before the signal all 200: ${inflightOk}; dropped: ${dropped.length}; ` +
      `refused after the listener closed: ${samples.filter(refused).length}; other errors after ` +
      `the signal: ${
        samples.filter((s) => s.status === 0 && !refused(s) && s.at >= signalledAt).length
      } ` +
      `(${
        samples.find((s) => s.status === 0 && !refused(s))?.error?.slice(0, 120) ?? "-"
      }); cleanups ran: ` +
      `${cleaned}; exit code ${status?.code}`,
  );
}

async function rowCounter(): Promise<void> {
  const url = Deno.env.get("REDIS_URL");
  const server = await startServer("faults", url ? { REDIS_URL: url } : {});
  try {
    const first = await fetch(`http://${HOST}:${server.port}/counter`);
    const cookie = first.headers.get("set-cookie")!.split(";")[0];
    await first.text();
    const before = procStats(server.pid);
    const background = load({
      port: server.port,
      next: () => LEGIT,
      concurrency: 8,
      maxRequests: 100_000,
      maxMs: 8_000,
    });
    const client = Deno.createHttpClient({});
    const race = await Promise.all(Array.from({ length: 200 }, async () => {
      const t0 = performance.now();
      try {
        const response = await fetch(`http://${HOST}:${server.port}/counter`, {
          headers: { cookie },
          client,
          signal: AbortSignal.timeout(30_000),
        } as RequestInit);
        const text = await response.text();
        return { status: response.status, ms: performance.now() - t0, legit: true, at: 0, text };
      } catch (error) {
        return { status: 0, ms: 0, legit: true, at: 0, text: String(error) };
      }
    }));
    client.close();
    const bg = await background;
    const last = await fetch(`http://${HOST}:${server.port}/counter`, { headers: { cookie } });
    const final = Number(await last.text());
    const after = procStats(server.pid);
    const all200 = race.every((r) => r.status === 200);
    const distinct = new Set(race.map((r) => r.text)).size;
    record(
      `8 200-request session counter race (${url ? "Redis" : "memory"} store)`,
      race,
      before,
      after,
      all200 && final === 202 && distinct === 200,
      `final count ${final} (expected 202 = 1 + 200 + 1); 200 distinct values: ${
        distinct === 200
      }; ` +
        `background load ${classes(bg)}`,
    );
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------

const deadline = setTimeout(() => {
  console.error("load_faults: the run passed its 10-minute bound; stopping");
  Deno.exit(2);
}, 10 * 60_000);

const only = Deno.args.length > 0 ? new Set(Deno.args) : undefined;
const steps: [string, () => Promise<unknown>][] = [
  ["1", rowBaselineAndHostile],
  ["3", rowSlowConnections],
  ["4", rowUploads],
  ["5", rowRedis],
  ["6", rowPostgres],
  ["7", rowSigterm],
  ["8", rowCounter],
];
for (const [id, run] of steps) {
  if (only && !only.has(id)) continue;
  console.error(`row ${id}…`);
  try {
    await run();
  } catch (error) {
    rows.push({
      row: `${id} (crashed)`,
      requests: "-",
      statuses: "-",
      p99ms: "-",
      rssMiB: "-",
      fds: "-",
      result: "FAIL",
      note: error instanceof Error ? error.message : String(error),
    });
  }
}
clearTimeout(deadline);

console.log(`\nDeno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores, loopback\n`);
console.log(
  "| row | requests | statuses | p99 ms | RSS MiB before → after | fds before → after | result | notes |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.row} | ${r.requests} | ${r.statuses} | ${r.p99ms} | ${r.rssMiB} | ${r.fds} | ${r.result} | ${r.note} |`,
  );
}
Deno.exit(rows.every((r) => r.result !== "FAIL") ? 0 : 1);
