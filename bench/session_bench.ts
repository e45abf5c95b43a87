// @pubkit/session on the hot path: ReentrantLock, then a whole request's session work (open with
// its lock, load, one write, save and unlock) per store, every store in the same run: the cost
// per request of FileStore beside MemoryStore, RedisStore (when REDIS_URL is set) and PostgresStore
// (over a @pubkit/pool PostgresFactory pool, when DATABASE_URL is set).
// Run alone: deno run -A bench/session_bench.ts, or `… session_bench.ts rounds [n]`: the lock
// and MemoryStore cases in n fresh processes each (default 5), in CPU time (see cpuRounds), or
// `… session_bench.ts stores [n]`: every store's cost per request, in n rounds taking turns.
import { bench, do_not_optimize, group } from "mitata";
import {
  FileStore,
  MemoryStore,
  ReentrantLock,
  SessionManager,
  type SessionStore,
} from "@pubkit/session";
import { PostgresStore } from "@pubkit/session/postgres";
import { RedisStore } from "@pubkit/session/redis";
import { Pool } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";
import { cpuRound, cpuRounds, type RoundCase, runBenches, type Target, time } from "./_run.ts";

/** The least a lock can do: owner + count, a resolved promise when free. */
class MinimalLock {
  owner: unknown = undefined;
  count = 0;
  acquire(owner: unknown): Promise<() => void> {
    if (this.count > 0 && this.owner !== owner) throw new Error("contended: not benchmarked");
    this.owner = owner;
    this.count++;
    return Promise.resolve(() => {
      if (--this.count === 0) this.owner = undefined;
    });
  }
}

const owner = {};
const lock = new ReentrantLock();
const minimal = new MinimalLock();

group("lock uncontended", () => {
  bench("minimal owner+count lock (async)", async () => {
    const release = await minimal.acquire(owner);
    release();
  }).baseline();
  bench("ReentrantLock acquire+release", async () => {
    const hold = await lock.acquire(owner);
    hold.release();
  });
  bench("ReentrantLock tryAcquire+release (sync)", () => {
    lock.tryAcquire(owner)!.release();
  });
});

group("lock re-entrant", () => {
  bench("minimal lock, twice", async () => {
    const a = await minimal.acquire(owner);
    const b = await minimal.acquire(owner);
    b();
    a();
  }).baseline();
  bench("ReentrantLock acquire ×2 + release ×2", async () => {
    const a = await lock.acquire(owner);
    const b = await lock.acquire(owner);
    b.release();
    a.release();
  });
});

const SECRET = "a bench secret of at least thirty-two characters";
const managers: SessionManager[] = [];
const dirs: string[] = [];

/** A manager over `store` and the `Cookie` header of a visitor whose session exists. */
async function returning(store: SessionStore): Promise<[SessionManager, Headers]> {
  const manager = new SessionManager({ store, secrets: [SECRET] });
  managers.push(manager);
  const session = await manager.open(new Headers(), { owner: {} });
  session.set("count", 0);
  const { name, value } = session.cookie()!;
  const cookie = `${name}=${value}`;
  await session.close();
  return [manager, new Headers({ cookie })];
}

/** One request's session work: open (and lock), bump the counter, close (save + unlock). */
async function visit(manager: SessionManager, headers: Headers): Promise<void> {
  const session = await manager.open(headers, { owner: {} });
  session.set("count", (session.get("count") as number ?? 0) + 1);
  do_not_optimize(session.cookie());
  await session.close();
}

// The baseline: what a hand-written handler keeps per session, a Map entry rewritten.
const plain = new Map<string, string>([["id", JSON.stringify({ count: 0 })]]);

const [memory, memoryCookie] = await returning(new MemoryStore());
const fileDir = await Deno.makeTempDir({ prefix: "pubkit-bench-" });
dirs.push(fileDir);
const [file, fileCookie] = await returning(new FileStore({ dir: fileDir }));
const [fileNoSync, fileNoSyncCookie] = await returning(
  new FileStore({ dir: fileDir, fsync: false }),
);
const redisUrl = Deno.env.get("REDIS_URL");
const redis = redisUrl
  ? await returning(new RedisStore({ url: redisUrl, prefix: "pubkit:bench:" }))
  : undefined;
if (!redis) console.error("REDIS_URL is unset: RedisStore skipped");
const databaseUrl = Deno.env.get("DATABASE_URL");
const pgPool = databaseUrl
  ? new Pool<PostgresClient>(new PostgresFactory({ connectionString: databaseUrl }), { max: 4 })
  : undefined;
const pgTable = `pubkit_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const postgres = pgPool
  ? await returning(
    new PostgresStore({
      db: { query: (text, values) => pgPool.use((client) => client.query(text, values)) },
      table: pgTable,
    }),
  )
  : undefined;
if (!postgres) console.error("DATABASE_URL is unset: PostgresStore skipped");

group("session open+lock+save", () => {
  bench("Map get + JSON + set (hand-written)", () => {
    const data = JSON.parse(plain.get("id")!);
    data.count++;
    plain.set("id", JSON.stringify(data));
  }).baseline();
  bench("MemoryStore, returning visitor", () => visit(memory, memoryCookie));
  bench("MemoryStore, new visitor", () => visit(memory, new Headers()));
  bench("FileStore (fsync), returning visitor", () => visit(file, fileCookie));
  bench("FileStore (no fsync), returning visitor", () => visit(fileNoSync, fileNoSyncCookie));
  if (redis) bench("RedisStore, returning visitor", () => visit(redis[0], redis[1]));
  if (postgres) bench("PostgresStore, returning visitor", () => visit(postgres[0], postgres[1]));
});

/** Targets of issues 10 and 18 measured here. */
export const targets: Target[] = [
  {
    label: "uncontended lock acquire+release ≤ 110 ns",
    group: "lock uncontended",
    name: "ReentrantLock acquire+release",
    maxNs: 110,
  },
  {
    label: "MemoryStore session open+lock+save ≤ 5 µs",
    group: "session open+lock+save",
    name: "MemoryStore, returning visitor",
    maxNs: 5_000,
  },
];

async function cleanup(): Promise<void> {
  for (const manager of managers) await manager.close();
  for (const dir of dirs) await Deno.remove(dir, { recursive: true });
  await pgPool?.use((client) =>
    client.query(
      `DROP TABLE "${pgTable}", "${pgTable}_lock"; DROP SEQUENCE "${pgTable}_fence"`,
    )
  );
  await pgPool?.close();
}

/** The cases `rounds` measures, by the names of the mitata cases. */
const CASES: Record<string, RoundCase> = {
  "minimal owner+count lock (async)": {
    run: async () => (await minimal.acquire(owner))(),
    ops: 1,
  },
  "ReentrantLock acquire+release": {
    run: async () => (await lock.acquire(owner)).release(),
    ops: 1,
  },
  "ReentrantLock acquire ×2 + release ×2": {
    run: async () => {
      const a = await lock.acquire(owner);
      const b = await lock.acquire(owner);
      b.release();
      a.release();
    },
    ops: 1,
  },
  "MemoryStore, returning visitor": { run: () => visit(memory, memoryCookie), ops: 1 },
};

/**
 * Each store's cost per request (open + lock + load + one write + save + unlock), wall time, in
 * `rounds` rounds of `visits` requests per store, the stores taking turns so that each meets the
 * same load: the median and best round per store, and the median's ratio to MemoryStore's.
 */
async function storeRounds(rounds: number, visits = 100): Promise<void> {
  const stores: [string, SessionManager, Headers][] = [
    ["MemoryStore", memory, memoryCookie],
    ["FileStore (fsync)", file, fileCookie],
    ["FileStore (no fsync)", fileNoSync, fileNoSyncCookie],
  ];
  if (redis) stores.push(["RedisStore", ...redis]);
  const times = new Map<string, number[]>(stores.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, manager, headers] of stores) {
      const start = performance.now();
      for (let i = 0; i < visits; i++) await visit(manager, headers);
      times.get(name)!.push((performance.now() - start) * 1e6 / visits);
    }
  }
  const median = (name: string) => {
    const sorted = [...times.get(name)!].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  const lines = [
    `### session stores: ${rounds} rounds of ${visits} requests each, wall time per request`,
    "",
    "| store | median | best round | median × MemoryStore |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const [name] of stores) {
    const best = Math.min(...times.get(name)!);
    const ratio = (median(name) / median("MemoryStore")).toFixed(0);
    lines.push(`| ${name} | ${time(median(name))} | ${time(best)} | ${ratio}× |`);
  }
  console.log(lines.join("\n"));
}

if (Deno.args[0] === "stores") {
  await storeRounds(Number(Deno.args[1] ?? 11));
  await cleanup();
} else if (Deno.args[0] === "round") {
  const ns = await cpuRound(CASES, Deno.args[1]!, 100_000);
  await cleanup();
  console.log(ns.toFixed(1));
} else if (Deno.args[0] === "rounds") {
  await cleanup();
  await cpuRounds(
    import.meta.url,
    CASES,
    Number(Deno.args[1] ?? 5),
    "session rounds",
    (name) => name.startsWith("ReentrantLock") ? "minimal owner+count lock (async)" : undefined,
  );
} else if (import.meta.main) {
  await runBenches("@pubkit/session", targets, cleanup);
}
