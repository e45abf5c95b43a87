// @pubkit/session on the hot path: ReentrantLock, then a whole request's session work (open with
// its lock, one write, save and unlock) per store. RedisStore runs when REDIS_URL is set,
// PostgresStore (over a @pubkit/pool PostgresFactory pool) when DATABASE_URL is set.
// Run alone: deno run -A bench/session_bench.ts
import { bench, do_not_optimize, group } from "mitata";
import {
  FileStore,
  MemoryStore,
  RedisStore,
  ReentrantLock,
  SessionManager,
  type SessionStore,
} from "@pubkit/session";
import { PostgresStore } from "@pubkit/session/postgres";
import { Pool, type PostgresClient, PostgresFactory } from "@pubkit/pool";
import { runBenches, type Target } from "./_run.ts";

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
if (!redis) console.log("REDIS_URL is unset: RedisStore skipped");
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
if (!postgres) console.log("DATABASE_URL is unset: PostgresStore skipped");

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

/** Targets of issue 10 measured here. */
export const targets: Target[] = [
  {
    label: "uncontended lock acquire+release ≤ 200 ns",
    group: "lock uncontended",
    name: "ReentrantLock acquire+release",
    maxNs: 200,
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

if (import.meta.main) await runBenches("@pubkit/session", targets, cleanup);
