/**
 * @pubkit/pool vs generic-pool vs tarn on the same trivial factory, each with 10 resources:
 * acquire + release of an idle resource (no contention), and 100 concurrent acquirers sharing
 * the 10 resources (an iteration is 100 acquire + release; divide by 100 for one operation).
 * Then a minimal lock on `WaitQueue` (the mechanism the session lock is to share): acquire +
 * release, alone and with 10 concurrent owners.
 *
 * Run: `deno run -A bench/pool_bench.ts` (mitata, wall time), or
 * `deno run -A bench/pool_bench.ts rounds [n]` as an outside harness measures: n fresh
 * processes per case (default 5), each warming up and then timing a fixed number of operations
 * in CPU time (robust on a shared machine); the table gives the median nanoseconds per operation.
 */
import process from "node:process";
import { bench, group, summary } from "mitata";
import { runBenches, type Target, time } from "./_run.ts";
import genericPool from "generic-pool";
import tarn from "tarn";
import { Pool } from "@pubkit/pool";
import { WaitQueue } from "@pubkit/async";

const MAX = 10;
const ACQUIRERS = 100;
const UNCONTENDED = "acquire + release (idle resource, no contention)";
const CONTENDED =
  `${ACQUIRERS} concurrent acquirers on ${MAX} resources (per iteration: ${ACQUIRERS} ops)`;
const LOCK = "minimal lock on WaitQueue";
const make = () => Promise.resolve({ n: 0 });

const pubkit = new Pool({ create: make, destroy() {} }, { max: MAX });
const generic = genericPool.createPool({ create: make, destroy: () => Promise.resolve() }, {
  max: MAX,
  min: 0,
});
const tarnPool = new tarn.Pool<{ n: number }>({ create: make, destroy() {}, min: 0, max: MAX });

/** Runs `ACQUIRERS` concurrent acquire + release of `once` and waits for all of them. */
function contended(once: () => Promise<void>): Promise<void[]> {
  const all: Promise<void>[] = new Array(ACQUIRERS);
  for (let i = 0; i < ACQUIRERS; i++) all[i] = once();
  return Promise.all(all);
}

async function pubkitOnce(): Promise<void> {
  const lease = await pubkit.acquire();
  lease.resource.n++;
  lease.release();
}
async function genericOnce(): Promise<void> {
  const r = await generic.acquire();
  r.n++;
  await generic.release(r);
}
async function tarnOnce(): Promise<void> {
  const r = await tarnPool.acquire().promise;
  r.n++;
  tarnPool.release(r);
}

/** The smallest lock on a WaitQueue: free → taken at once; held → wait; release → hand over. */
class MiniLock {
  #held = false;
  #queue = new WaitQueue<MiniLock, object>({
    timeout: 10_000,
    timeoutError: () => new Error("Cannot acquire the lock: timed out"),
  });

  acquire(owner: object): Promise<MiniLock> {
    if (!this.#held && this.#queue.length === 0) {
      this.#held = true;
      return Promise.resolve(this);
    }
    return this.#queue.wait(owner);
  }

  release(): void {
    if (!this.#queue.grant(this)) this.#held = false;
  }
}

const lock = new MiniLock();
const LOCKERS = 10;
async function lockOnce(): Promise<void> {
  (await lock.acquire(lock)).release();
}
function lockContended(): Promise<void[]> {
  const all: Promise<void>[] = new Array(LOCKERS);
  for (let i = 0; i < LOCKERS; i++) all[i] = lockOnce();
  return Promise.all(all);
}

/** Every case: what one call of `run` does, and how many operations that is. */
const CASES: Record<string, { run: () => Promise<unknown>; ops: number }> = {
  "uncontended @pubkit/pool": { run: pubkitOnce, ops: 1 },
  "uncontended generic-pool": { run: genericOnce, ops: 1 },
  "uncontended tarn": { run: tarnOnce, ops: 1 },
  "contended @pubkit/pool": { run: () => contended(pubkitOnce), ops: ACQUIRERS },
  "contended generic-pool": { run: () => contended(genericOnce), ops: ACQUIRERS },
  "contended tarn": { run: () => contended(tarnOnce), ops: ACQUIRERS },
  "lock free": { run: lockOnce, ops: 1 },
  "lock contended": { run: lockContended, ops: LOCKERS },
};

async function cleanup(): Promise<void> {
  await pubkit.close();
  await generic.drain();
  await generic.clear();
  await tarnPool.destroy();
}

/** One round of one case in this process: CPU nanoseconds per operation, after a warm-up. */
async function round(name: string): Promise<number> {
  const { run, ops } = CASES[name];
  const calls = 200_000 / ops;
  for (let i = 0; i < calls; i++) await run();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000 / (calls * ops);
}

/** Runs every case in `n` fresh processes each and prints the medians and ratios. */
async function rounds(n: number): Promise<void> {
  const results: Record<string, number[]> = {};
  for (let r = 0; r < n; r++) {
    for (const name of Object.keys(CASES)) {
      const { stdout, code } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL(import.meta.url).pathname, "round", name],
        stderr: "inherit",
      }).output();
      if (code !== 0) throw new Error(`Cannot run the round "${name}": exit code ${code}`);
      (results[name] ??= []).push(Number(new TextDecoder().decode(stdout)));
    }
  }
  const median = (name: string) => {
    const sorted = [...results[name]].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const lines = [
    `### pool rounds: ${n} fresh processes per case, CPU time per operation`,
    "",
    "| case | median | best | all rounds (ns) | median × generic-pool |",
    "| --- | ---: | ---: | --- | ---: |",
  ];
  for (const name of Object.keys(CASES)) {
    const generic = name.replace(/ \S+$/, " generic-pool"); // "lock …" cases have none
    const ratio = generic in results ? `${(median(name) / median(generic)).toFixed(2)}×` : "";
    const all = results[name].map((ns) => ns.toFixed(0)).join(", ");
    const best = time(Math.min(...results[name]));
    lines.push(`| ${name} | ${time(median(name))} | ${best} | ${all} | ${ratio} |`);
  }
  console.log(lines.join("\n"));
}

/** Targets of issue 18 measured here (wall time, from mitata's averages). */
export const targets: Target[] = [
  {
    group: CONTENDED,
    name: "@pubkit/pool",
    max: 1,
    label: "pool, 100 acquirers on 10 resources: ≤ generic-pool",
  },
  { group: UNCONTENDED, name: "@pubkit/pool", maxNs: 200, label: "pool uncontended ≤ 200 ns" },
  { group: LOCK, name: "acquire + release, free lock", maxNs: 110, label: "lock ≤ 110 ns" },
];

if (Deno.args[0] === "round") {
  await contended(pubkitOnce);
  await contended(genericOnce);
  await contended(tarnOnce);
  const ns = await round(Deno.args[1]);
  await cleanup();
  console.log(ns.toFixed(1));
} else if (Deno.args[0] === "rounds") {
  await cleanup();
  await rounds(Number(Deno.args[1] ?? 5));
} else {
  // Warm each pool to MAX resources so that no benchmarked acquire creates one.
  await contended(pubkitOnce);
  await contended(genericOnce);
  await contended(tarnOnce);

  summary(() => {
    group(UNCONTENDED, () => {
      bench("@pubkit/pool", pubkitOnce).baseline(true);
      bench("generic-pool", genericOnce);
      bench("tarn", tarnOnce);
    });
  });
  summary(() => {
    group(CONTENDED, () => {
      bench("@pubkit/pool", () => contended(pubkitOnce));
      bench("generic-pool", () => contended(genericOnce)).baseline(true);
      bench("tarn", () => contended(tarnOnce));
    });
  });
  group(LOCK, () => {
    bench("acquire + release, free lock", lockOnce);
    bench(`${LOCKERS} concurrent owners (per iteration: ${LOCKERS} ops)`, lockContended);
  });
  await runBenches("@pubkit/pool", targets, cleanup);
}
