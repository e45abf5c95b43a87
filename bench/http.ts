// HTTP load on loopback: each stack of bench/servers/ pinned to CPU 0, wrk pinned to CPU 1.
// Per scenario: warm-up, then alternating rounds (A B C, then C B A, …) of fixed-length runs;
// server CPU time per request from /proc/<pid>/stat (utime + stime) before and after each run;
// medians and ratios (of the medians, and paired within each round). Then, with --rss, the pubkit page's RSS after 100k and 1M requests.
//
//   apt-get install -y wrk    # once (Debian)
//   deno run -A bench/http.ts [--seconds=5] [--rounds=4] [--connections=16] [--rss] [--only=hello]
//     [--stacks=pubkit,pubkit-log-off] [--stdout=file]
//
// --stdout=file sends each server's stdout (the access log) into a file instead of a pipe this
// script reads, as `deno task serve > access.log` does.
//
// --compare=<path of another checkout's bench/servers/pubkit.ts> adds that pubkit as a fourth
// stack ("pubkit-b"), to measure a fix before and after in the same alternating rounds.
//
// Prints Markdown; bounded in time (about 3 minutes, plus about 5 with --rss).
import { createDatabase, SITE } from "./_page.ts";
import { benchStacks, type ServerProcess, startServer } from "./_server_process.ts";
import { barChart, chartFileName } from "./_chart.ts";

const flags = Object.fromEntries(Deno.args.map((a) => a.replace(/^--/, "").split("=")));
const SECONDS = Number(flags.seconds ?? 5);
const ROUNDS = Number(flags.rounds ?? 4);
const CONNECTIONS = Number(flags.connections ?? 16);
const ONLY: string | undefined = flags.only;
const TICK_US = 1e6 / 100; // CLK_TCK is 100 on Linux x86-64 (`getconf CLK_TCK`)
const STACKS = benchStacks(flags.compare);
if (flags.stacks) {
  const keep = new Set(flags.stacks.split(","));
  for (const name of Object.keys(STACKS)) if (!keep.has(name)) delete STACKS[name];
}
type StackName = string;

type Server = ServerProcess;

const scenarios: [string, string, string, boolean][] = [
  ["hello", "hello: GET /hello", "/hello", false],
  [
    "page-returning",
    "realistic page, returning visitor (256 sessions, cookie sent back)",
    "/page",
    true,
  ],
  ["page-new", "realistic page, new visitor (no cookie)", "/page", false],
  [
    "page-fill-returning",
    "realistic page through pubkit's fill engine (raw and Hono: their /page), returning visitor",
    "/fill",
    true,
  ],
];

interface Run {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUs: number;
}

const dir = await Deno.makeTempDir({ prefix: "pubkit-http-" });
const db = createDatabase(dir);

const STARTED = Date.now();
const TOTAL_RUNS = scenarioCount() * ROUNDS * Object.keys(STACKS).length;
let runsDone = 0;

/**
 * Progress on a terminal (which stack, which round, the time left by the pace so far), so that a
 * stuck step can be told apart; nothing when stderr is not a terminal (CI, a redirected run).
 */
const progress = (line: string) => {
  if (!Deno.stderr.isTerminal()) return;
  const elapsed = (Date.now() - STARTED) / 1000;
  const left = runsDone > 0 ? (elapsed / runsDone) * (TOTAL_RUNS - runsDone) : NaN;
  const eta = Number.isFinite(left) ? `, about ${Math.ceil(left / 60)} min left` : "";
  console.error(`[http.ts ${runsDone}/${TOTAL_RUNS} runs${eta}] ${line}`);
};

const stdoutFiles = new Map<Server, string>();

async function start(name: StackName): Promise<Server> {
  progress(`starting ${name}`);
  if (flags.stdout !== "file") {
    return await startServer(name, STACKS[name]!, db, { timeout: 30_000 });
  }
  const stdoutFile = await Deno.makeTempFile();
  const server = await startServer(name, STACKS[name]!, db, { timeout: 30_000, stdoutFile });
  stdoutFiles.set(server, stdoutFile);
  return server;
}

async function stop(server: Server): Promise<void> {
  server.child.kill("SIGTERM");
  const file = stdoutFiles.get(server);
  if (file === undefined) await server.child.stdout.cancel().catch(() => {});
  await server.child.status;
  if (file !== undefined) await Deno.remove(file);
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
}

async function memory(pid: number, key: "VmHWM" | "VmRSS"): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}

/** A wrk script sending `path`, with each request taking the next cookie of `cookies`. */
function luaScript(path: string, cookies: string[]): string {
  const list = cookies.map((c) => JSON.stringify(c)).join(",\n");
  return `local cookies = {${list}}
local requests = {}
local i = 0
init = function()
  if #cookies == 0 then requests[1] = wrk.format("GET", "${path}") end
  for k, c in ipairs(cookies) do requests[k] = wrk.format("GET", "${path}", { Cookie = c }) end
end
request = function()
  i = i + 1
  return requests[(i % #requests) + 1]
end
done = function(s, latency)
  local e = s.errors
  io.write(string.format('{"requests":%d,"us":%d,"p50":%d,"p99":%d,"errors":%d}\\n',
    s.requests, s.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;
}

async function wrk(port: number, script: string, seconds: number): Promise<Omit<Run, "cpuUs">> {
  const file = `${dir}/load.lua`;
  await Deno.writeTextFile(file, script);
  const { stdout, code } = await new Deno.Command("taskset", {
    args: [
      "-c",
      "1",
      "wrk",
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      "-s",
      file,
      `http://127.0.0.1:${port}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const line = text.split("\n").find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || !line) throw new Error(`Cannot run wrk:\n${text}`);
  const r = JSON.parse(line);
  return {
    requests: r.requests,
    rps: r.requests / (r.us / 1e6),
    p50: r.p50,
    p99: r.p99,
    errors: r.errors,
  };
}

async function measured(server: Server, script: string): Promise<Run> {
  const before = await cpuTicks(server.pid);
  const run = await wrk(server.port, script, SECONDS);
  const after = await cpuTicks(server.pid);
  return { ...run, cpuUs: ((after - before) * TICK_US) / run.requests };
}

/** Cookies of `n` sessions the server has already created (a returning visitor sends one). */
async function sessionCookies(port: number, n: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < n; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/page`, {
      signal: AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    cookies.push(response.headers.get("set-cookie")!.split(";")[0]!);
  }
  return cookies;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (us: number) => us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(0)} µs`;

async function scenario(title: string, path: string, returning: boolean): Promise<string> {
  const servers = [];
  for (const name of Object.keys(STACKS)) servers.push(await start(name));
  const scripts = new Map<Server, string>();
  for (const s of servers) {
    const cookies = returning ? await sessionCookies(s.port, 256) : [];
    scripts.set(s, luaScript(pathFor(s, path), cookies));
    await wrk(s.port, scripts.get(s)!, 2); // warm-up
  }
  const runs = new Map<Server, Run[]>(servers.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      progress(`${title}: round ${round + 1} of ${ROUNDS}, ${s.name}`);
      runs.get(s)!.push(await measured(s, scripts.get(s)!));
      runsDone++;
    }
  }
  const lines = [
    `### ${title}`,
    "",
    `${ROUNDS} alternating rounds of ${SECONDS} s, wrk -t1 -c${CONNECTIONS}; medians.`,
    "",
    "| stack | req/s | p50 | p99 | server CPU µs/req | peak RSS | errors | CPU/req runs |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  const cpu = new Map<StackName, number>();
  for (const s of servers) {
    const r = runs.get(s)!;
    const cpuUs = median(r.map((x) => x.cpuUs));
    cpu.set(s.name, cpuUs);
    lines.push(
      `| ${s.name} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${
        ms(median(r.map((x) => x.p50)))
      } | ` +
        `${ms(median(r.map((x) => x.p99)))} | ${cpuUs.toFixed(1)} | ` +
        `${(await memory(s.pid, "VmHWM")).toFixed(0)} MiB | ${
          r.reduce((n, x) => n + x.errors, 0)
        } | ` +
        `${r.map((x) => x.cpuUs.toFixed(1)).join(", ")} |`,
    );
  }
  // Paired too: the ratio within each round (runs seconds apart), then the median of those,
  // which a load that drifts across the rounds moves less than the ratio of the medians.
  const perRun = new Map(servers.map((s) => [s.name, runs.get(s)!.map((x) => x.cpuUs)]));
  const ratio = (a: StackName, b: StackName) => {
    const pairs = perRun.get(a)!.map((x, i) => x / perRun.get(b)![i]!);
    return `**${(cpu.get(a)! / cpu.get(b)!).toFixed(2)}×** (per round: median ${
      median(pairs).toFixed(2)
    }×, ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)})`;
  };
  const comparisons: [StackName, StackName][] = [
    ["pubkit", "pubkit-log-off"],
    ["pubkit", "raw"],
    ["pubkit", "hono"],
    ["hono", "raw"],
  ];
  if (cpu.has("pubkit-b")) comparisons.push(["pubkit-b", "raw"], ["pubkit", "pubkit-b"]);
  const both = comparisons.filter(([a, b]) => cpu.has(a) && cpu.has(b));
  lines.push(
    "",
    "CPU per request, ratio of the medians:",
    "",
    ...both.map(([a, b]) => `- ${a} / ${b} = ${ratio(a, b)}`),
    "",
  );
  for (const s of servers) await stop(s);
  await Deno.mkdir(new URL("./charts/", import.meta.url), { recursive: true });
  const chart = barChart({
    title: `Over HTTP: ${title}`,
    subtitle:
      `server CPU per request, median of ${ROUNDS}×${SECONDS} s rounds, wrk -c${CONNECTIONS} ` +
      `(${new Date().toISOString().slice(0, 10)}); shorter is better`,
    format: (us) => `${us.toFixed(1)} µs`,
    bars: servers.map((s) => ({
      label: s.name,
      value: cpu.get(s.name)!,
      baseline: s.name === "raw",
    })),
  });
  // A run of some stacks only does not redraw the README's chart.
  if (!flags.stacks) {
    await Deno.writeTextFile(
      new URL(`./charts/http-${chartFileName(title)}`, import.meta.url),
      chart,
    );
  }
  return lines.join("\n");
}

/** RSS of a fresh pubkit server after 100k and after 1M requests of the returning page. */
async function rssGrowth(): Promise<string> {
  const server = await start("pubkit");
  const script = luaScript("/page", await sessionCookies(server.port, 256));
  let total = 0;
  const at: Record<string, number> = {};
  for (const mark of [100_000, 1_000_000]) {
    while (total < mark) total += (await wrk(server.port, script, 10)).requests;
    at[mark] = await memory(server.pid, "VmRSS");
    console.error(`rss: ${total} requests, ${at[mark]!.toFixed(1)} MiB`);
  }
  await stop(server);
  const growth = (at[1_000_000]! / at[100_000]! - 1) * 100;
  return [
    "### pubkit realistic page (returning visitors): RSS growth",
    "",
    "| after | RSS |",
    "| --- | ---: |",
    `| 100k requests | ${at[100_000]!.toFixed(1)} MiB |`,
    `| 1M requests | ${at[1_000_000]!.toFixed(1)} MiB |`,
    "",
    `Growth from 100k to 1M: **${growth.toFixed(1)}%** (target < 10%).`,
    "",
  ].join("\n");
}

function scenarioCount(): number {
  return ONLY ? ONLY.split(",").length : scenarios.length;
}

/** The path a stack serves a scenario at: `/fill` is pubkit's alone; the others serve `/page`. */
const pathFor = (server: Server, path: string) =>
  path === "/fill" && !server.name.startsWith("pubkit") ? "/page" : path;

try {
  console.log(`# HTTP load (${new Date().toISOString()}, site ${SITE})\n`);
  for (const [key, title, path, returning] of scenarios) {
    if (ONLY && !ONLY.split(",").includes(key)) continue;
    console.log(await scenario(title, path, returning));
  }
  if ("rss" in flags) console.log(await rssGrowth());
} finally {
  await Deno.remove(dir, { recursive: true });
}
