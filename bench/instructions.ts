// Server-side cost per request of the stacks of bench/servers/, as instructions instead of seconds:
// the instructions (callgrind's Ir) that the server process executes, all its threads together,
// for exactly N requests, divided by N. CPU time from /proc moves by ±1 % from run to run on this
// machine, too much to tell apart stacks that differ by a few tenths of a percent; an instruction
// count does not depend on the clock, the other processes or the CPU frequency.
//
// Per round, for each stack in alternating order (A B C, then C B A, …), a fresh server:
//   1. started under callgrind with instrumentation off (Deno starts and warms up about 5× slower
//      instead of about 50×), pinned to CPU 0; this script, which is also the load, pins itself
//      to CPU 1;
//   2. `--warmup` requests, a pause to let the server go idle, then instrumentation on and the
//      counters zeroed through vgdb (what `callgrind_control -i on` and `-z` do);
//   3. exactly `--requests` requests over `--connections` keep-alive TCP connections (opened
//      before the warm-up, so no accept is counted), one request at a time per connection, each
//      response read to its last byte and checked to be a 200; a pause again, then a dump
//      (`callgrind_control -d`), whose `summary:` is the count of the measured phase, all threads.
// Prints Markdown: instructions per request per round, medians, spread (min–max), and the ratios
// of the medians and paired within each round.
//
// The warm-up is long on purpose: V8 keeps optimizing the hot paths (compiling on a background
// thread) for the first 30–70k requests, and a measure started after 5k requests counted 1.5–2×
// the instructions; after 60k, consecutive blocks of 20k requests in one server agree within
// about 0.1 % (rarely, a step of up to 1 %, hence several fresh servers and medians). Only
// user-space instructions are counted, not the kernel's work in the syscalls (read, write, epoll),
// which is much of a hello request's CPU time: ratios of instructions are not ratios of CPU time.
//
//   apt-get install -y valgrind    # once (Debian; 3.19 here)
//   deno run -A bench/instructions.ts [--requests=30000] [--warmup=60000] [--rounds=6]
//     [--connections=16] [--path=/hello] [--settle=1000]
//
// --compare=<path of another checkout's bench/servers/pubkit.ts> adds that pubkit as a fourth
// stack ("pubkit-b"), as in bench/http.ts; --only=pubkit,pubkit-b measures only the stacks named
// (one round of a stack gives its count: rounds agree within about 0.1 %). --settle is the pause
// in ms before zeroing and before dumping. Bounded in time: 6–8 minutes with the defaults (about
// 20 s per server).
import { createDatabase } from "./_page.ts";
import { benchStacks, type ServerProcess, startServer } from "./_server_process.ts";

const flags = Object.fromEntries(Deno.args.map((a) => a.replace(/^--/, "").split("=")));
const REQUESTS = Number(flags.requests ?? 30_000);
const WARMUP = Number(flags.warmup ?? 60_000);
const ROUNDS = Number(flags.rounds ?? 6);
const CONNECTIONS = Number(flags.connections ?? 16);
const PATH: string = flags.path ?? "/hello";
const SETTLE_MS = Number(flags.settle ?? 1000);
/** Whatever happens, a server that has not finished a phase by then is killed. */
const PHASE_TIMEOUT_MS = 10 * 60_000;
const STACKS = benchStacks(flags.compare);
if (flags.only) {
  const only = new Set(flags.only.split(","));
  for (const name of Object.keys(STACKS)) if (!only.has(name)) delete STACKS[name];
}
type StackName = string;

type Server = ServerProcess;

/** One measured phase: instructions per request, and the share of the main thread. */
interface Count {
  perRequest: number;
  mainShare: number;
}

const dir = await Deno.makeTempDir({ prefix: "pubkit-instructions-" });
const db = createDatabase(dir);
const VGDB_PREFIX = `${dir}/vgdb`; // vgdb's FIFOs in our directory, removed with it
const live = new Set<Server>();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Progress on stderr, so that a stuck step can be told apart. */
const progress = (line: string) =>
  console.error(`[instructions.ts ${new Date().toISOString()}] ${line}`);

async function run(command: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = decoder.decode(stdout) + decoder.decode(stderr);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code}):\n${text}`);
  return text;
}

/** Sends a command to the callgrind of `pid` (what `callgrind_control` does, without perl). */
const vgdb = (pid: number, ...command: string[]) =>
  run("vgdb", [`--vgdb-prefix=${VGDB_PREFIX}`, `--pid=${pid}`, ...command]);

async function start(name: StackName): Promise<Server> {
  progress(`starting ${name} under callgrind`);
  const server = await startServer(name, STACKS[name]!, db, {
    wrapper: [
      "valgrind",
      "--tool=callgrind",
      "--smc-check=all-non-file", // V8 writes the code it runs
      "--instr-atstart=no", // switched on after the warm-up
      "--collect-systime=no", // instructions only (the default, said out loud)
      "--dump-instr=no",
      "--vgdb=yes",
      `--vgdb-prefix=${VGDB_PREFIX}`,
      `--callgrind-out-file=${dir}/%p.out`,
    ],
    timeout: 120_000,
  });
  live.add(server);
  return server;
}

async function stop(server: Server): Promise<void> {
  if (!live.delete(server)) return;
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 60_000);
  try {
    server.child.kill("SIGTERM");
  } catch { /* already gone */ }
  await server.child.stdout.cancel().catch(() => {});
  await server.child.status;
  clearTimeout(timer);
}

/** A keep-alive connection of the load, with what it has read and not yet consumed. */
interface Connection {
  conn: Deno.TcpConn;
  buffer: Uint8Array;
  filled: number;
}

const REQUEST = encoder.encode(`GET ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);

async function fill(c: Connection): Promise<void> {
  if (c.filled === c.buffer.length) {
    const bigger = new Uint8Array(c.buffer.length * 2);
    bigger.set(c.buffer);
    c.buffer = bigger;
  }
  const n = await c.conn.read(c.buffer.subarray(c.filled));
  if (n === null) throw new Error("The server closed a keep-alive connection");
  c.filled += n;
}

function headEnd(bytes: Uint8Array, length: number): number {
  for (let i = 3; i < length; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) {
      return i + 1;
    }
  }
  return -1;
}

/** Sends one request on `c` and reads its whole response (Content-Length framed), a 200. */
async function exchange(c: Connection): Promise<void> {
  for (let written = 0; written < REQUEST.length;) {
    written += await c.conn.write(REQUEST.subarray(written));
  }
  let end = headEnd(c.buffer, c.filled);
  while (end < 0) {
    await fill(c);
    end = headEnd(c.buffer, c.filled);
  }
  const head = decoder.decode(c.buffer.subarray(0, end));
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
  if (status !== "200") throw new Error(`Expected a 200, got:\n${head}`);
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length === undefined) throw new Error(`No Content-Length (chunked is not read):\n${head}`);
  const total = end + Number(length);
  while (c.filled < total) await fill(c);
  c.buffer.copyWithin(0, total, c.filled);
  c.filled -= total;
}

/** Sends exactly `n` requests over `connections`, each one request at a time. */
async function load(connections: Connection[], n: number): Promise<void> {
  let left = n;
  const timer = setTimeout(() => connections.forEach((c) => c.conn.close()), PHASE_TIMEOUT_MS);
  try {
    await Promise.all(connections.map(async (c) => {
      while (left > 0) {
        left--;
        await exchange(c);
      }
    }));
  } finally {
    clearTimeout(timer);
  }
}

/** The `summary:` (total Ir, all threads) of the newest dump of `pid`. */
async function lastDump(pid: number): Promise<number> {
  let newest = 0;
  for await (const entry of Deno.readDir(dir)) {
    const match = new RegExp(`^${pid}\\.out\\.(\\d+)$`).exec(entry.name);
    if (match) newest = Math.max(newest, Number(match[1]));
  }
  if (newest === 0) throw new Error(`No dump of ${pid} in ${dir}`);
  const text = await Deno.readTextFile(`${dir}/${pid}.out.${newest}`);
  const summary = /^summary: (\d+)$/m.exec(text)?.[1];
  if (summary === undefined) throw new Error(`No summary in the dump of ${pid}`);
  return Number(summary);
}

async function measure(name: StackName): Promise<Count> {
  const server = await start(name);
  const connections: Connection[] = [];
  try {
    for (let i = 0; i < CONNECTIONS; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      connections.push({ conn, buffer: new Uint8Array(16 * 1024), filled: 0 });
    }
    progress(`${name}: ${WARMUP} warm-up requests`);
    await load(connections, WARMUP);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    await vgdb(server.pid, "instrumentation", "on");
    await vgdb(server.pid, "zero");
    progress(`${name}: ${REQUESTS} measured requests`);
    await load(connections, REQUESTS);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    // Per thread too, to see where the instructions go (the dump sums the threads).
    const status = await vgdb(server.pid, "status", "internal");
    const threads = status.match(/^events-\d+: \d+$/gm)?.length ?? 0;
    const main = Number(/^events-1: (\d+)$/m.exec(status)?.[1] ?? NaN);
    await vgdb(server.pid, "dump");
    const total = await lastDump(server.pid);
    const count = { perRequest: total / REQUESTS, mainShare: main / total };
    progress(
      `${name}: ${fmt(count.perRequest)} Ir/request (${threads} threads, main thread ${
        (count.mainShare * 100).toFixed(1)
      } %)`,
    );
    return count;
  } catch (error) {
    throw new Error(`${name} failed; its stderr ends with:\n${server.stderr()}`, { cause: error });
  } finally {
    for (const c of connections) {
      try {
        c.conn.close();
      } catch { /* closed by the timeout */ }
    }
    await stop(server);
    progress(`${name}: ${server.stdoutLines()} lines on stdout (the access log, if on)`);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const times = (x: number) => `${x.toFixed(4)}×`;
const range = (xs: number[], show: (x: number) => string) =>
  `${show(Math.min(...xs))}–${show(Math.max(...xs))}`;

function report(counts: Map<StackName, number[]>): string {
  const names = [...counts.keys()];
  const perRequest = (name: StackName) => counts.get(name)!;
  const lines = [
    `### GET ${PATH}`,
    "",
    `${ROUNDS} alternating rounds, a fresh server per stack and round; ${WARMUP} warm-up then ` +
    `${REQUESTS} measured requests over ${CONNECTIONS} keep-alive connections.`,
    "",
    "| stack | Ir/request (median) | min–max | spread | per round |",
    "| --- | ---: | ---: | ---: | --- |",
  ];
  for (const name of names) {
    const xs = perRequest(name);
    const spread = (Math.max(...xs) - Math.min(...xs)) / median(xs) * 100;
    lines.push(
      `| ${name} | ${fmt(median(xs))} | ${range(xs, fmt)} | ${spread.toFixed(2)} % | ${
        xs.map(fmt).join(", ")
      } |`,
    );
  }
  const comparisons = ([
    ["pubkit", "pubkit-log-off"],
    ["pubkit", "raw"],
    ["pubkit", "hono"],
    ["hono", "raw"],
    ["pubkit-b", "raw"],
    ["pubkit", "pubkit-b"],
  ] as [StackName, StackName][]).filter(([a, b]) => counts.has(a) && counts.has(b));
  // Paired too: the ratio within each round, then the median of those.
  const pairs = (a: StackName, b: StackName) => perRequest(a).map((x, i) => x / perRequest(b)[i]!);
  lines.push(
    "",
    "Per round (Ir/request, and the ratios within the round):",
    "",
    `| round | ${names.join(" | ")} | ${comparisons.map(([a, b]) => `${a} / ${b}`).join(" | ")} |`,
    `| --- | ${names.map(() => "---:").join(" | ")} | ${
      comparisons.map(() => "---:").join(" | ")
    } |`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    lines.push(
      `| ${round + 1} | ${names.map((n) => fmt(perRequest(n)[round]!)).join(" | ")} | ${
        comparisons.map(([a, b]) => times(pairs(a, b)[round]!)).join(" | ")
      } |`,
    );
  }
  lines.push(
    "",
    "Ratio of the medians (per round: median, min–max):",
    "",
    ...comparisons.map(([a, b]) =>
      `- ${a} / ${b} = **${times(median(perRequest(a)) / median(perRequest(b)))}** ` +
      `(per round: median ${times(median(pairs(a, b)))}, ${range(pairs(a, b), times)})`
    ),
    "",
  );
  return lines.join("\n");
}

/** Kills the servers still running and removes the temporary files; idempotent. */
async function cleanUp(): Promise<void> {
  for (const server of [...live]) {
    live.delete(server);
    try {
      server.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await server.child.status;
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

const interrupted = () => {
  progress("interrupted: killing the servers");
  cleanUp().finally(() => Deno.exit(130));
};
Deno.addSignalListener("SIGINT", interrupted);
Deno.addSignalListener("SIGTERM", interrupted);
try {
  // This process (the load, vgdb) on CPU 1, all its threads; the servers pin themselves to CPU 0.
  await run("taskset", ["-a", "-c", "-p", "1", String(Deno.pid)]);
  console.log(`# Instructions per request (callgrind, ${new Date().toISOString()})\n`);
  const counts = new Map<StackName, number[]>(Object.keys(STACKS).map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    progress(`round ${round + 1} of ${ROUNDS}`);
    const names = Object.keys(STACKS);
    for (const name of round % 2 === 0 ? names : names.reverse()) {
      counts.get(name)!.push((await measure(name)).perRequest);
    }
  }
  console.log(report(counts));
} finally {
  await cleanUp();
  Deno.removeSignalListener("SIGINT", interrupted);
  Deno.removeSignalListener("SIGTERM", interrupted);
}
