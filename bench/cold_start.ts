// Cold start (issue 18): how long a fresh `deno run` of a hello app takes from spawn to its first
// 200, pubkit's published hello against Hono's, alternating in one run so that the machine's load
// weighs on both alike. Each start is a new process. Two measures: the wall time from spawn to
// the first 200, and the CPU time (user + system, from /proc) the process had used by then, which
// a loaded machine disturbs less. Target: pubkit's median within 1.5× Hono's.
// Run: deno run -A bench/cold_start.ts              (ROUNDS=n, default 21)
//      deno run -A bench/cold_start.ts name=file …  (other entries serving GET /hello on $PORT)
const ROUNDS = Number(Deno.env.get("ROUNDS") ?? 21);
const STACKS: Record<string, string> = Deno.args.length > 0
  ? Object.fromEntries(Deno.args.map((arg) => arg.split("=", 2)))
  : {
    pubkit: new URL("./cold_start/pubkit.ts", import.meta.url).pathname,
    hono: new URL("./cold_start/hono.ts", import.meta.url).pathname,
  };
const NAMES = Object.keys(STACKS);
const TICKS_PER_MS = 100 / 1000; // USER_HZ, 100 on Linux

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** The CPU time a process has used, in ms (utime + stime of /proc/<pid>/stat). */
async function cpuTime(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_MS;
}

interface Start {
  wall: number;
  cpu: number;
}

/** Spawns `script` and polls `/hello` until it answers 200. */
async function coldStart(script: string): Promise<Start> {
  const port = freePort();
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-no-legacy-abort", script],
    // From the entry's folder, as one starts an app, so that its own deno.json is found.
    cwd: new URL(".", `file://${script}`).pathname,
    env: { PORT: String(port) },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = started + 30_000;
  try {
    while (performance.now() < deadline) {
      let response: Response;
      try {
        response = await fetch(`http://127.0.0.1:${port}/hello`);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1)); // not listening yet
        continue;
      }
      const wall = performance.now() - started;
      const body = await response.text();
      if (response.status !== 200 || body !== "Hello, World!") {
        throw new Error(`Cannot measure ${script}: ${response.status} ${body}`);
      }
      return { wall, cpu: await cpuTime(child.pid) };
    }
    throw new Error(`Cannot measure ${script}: no 200 within 30 s`);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// One start each fills the module and compile caches; not counted.
for (const name of NAMES) await coldStart(STACKS[name]);
const starts: Record<string, Start[]> = Object.fromEntries(NAMES.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? NAMES : NAMES.toReversed()) {
    starts[name].push(await coldStart(STACKS[name]));
  }
}
const stat = (name: string, key: keyof Start) => {
  const values = starts[name].map((start) => start[key]).sort((a, b) => a - b);
  return `${median(values).toFixed(0)} (${values[0].toFixed(0)}–${values.at(-1)!.toFixed(0)})`;
};
console.log(`| ms, median of ${ROUNDS} (min–max) | spawn → first 200 | CPU time by then |`);
console.log("| ------------------------- | ----------------: | ---------------: |");
for (const name of NAMES) {
  console.log(`| ${name.padEnd(25)} | ${stat(name, "wall")} | ${stat(name, "cpu")} |`);
}
if (starts.pubkit && starts.hono) {
  for (const key of ["wall", "cpu"] as const) {
    const ratio = median(starts.pubkit.map((s) => s[key])) / median(starts.hono.map((s) => s[key]));
    const verdict = ratio <= 1.5 ? "holds" : "not met";
    console.log(`pubkit / Hono, ${key}: ${ratio.toFixed(2)}× (target ≤ 1.5×: ${verdict})`);
  }
}
