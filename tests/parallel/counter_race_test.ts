// The 200-request counter race on one session, served by several isolates at once: 2 workers
// of `deno serve --parallel`, and 2 processes on different ports, sharing sessions through a
// FileStore folder or Redis. Every increment must survive: the counter ends at exactly 200.
import assert from "node:assert/strict";
import { Pool } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";
import { RedisStore } from "@pubkit/session/redis";
import { type Child, freePort, getJson, RUN, start, START_TIMEOUT } from "./_children.ts";

const HERE = new URL("./", import.meta.url);
const REQUESTS = 200;
const redisUrl = Deno.env.get("REDIS_URL");
if (!redisUrl) console.log("counter_race_test.ts: REDIS_URL is unset, skipping the Redis races");
const databaseUrl = Deno.env.get("DATABASE_URL");
if (!databaseUrl) {
  console.log("counter_race_test.ts: DATABASE_URL is unset, skipping the PostgreSQL races");
}

/** Fires `REQUESTS` concurrent increments with one cookie, spread round-robin over `bases`. */
async function race(bases: URL[], cookie: string, query = "") {
  const started = performance.now();
  const answers = await Promise.all(
    Array.from(
      { length: REQUESTS },
      (_, i) => getJson(new URL(`/inc${query}`, bases[i % bases.length]), cookie),
    ),
  );
  const ms = performance.now() - started;
  const statuses = new Map<number, number>();
  const workers = new Set<string>();
  for (const { status, text } of answers) {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status === 200) workers.add(JSON.parse(text).worker);
  }
  const read = await getJson(new URL("/read", bases[0]), cookie);
  const n = JSON.parse(read.text).n as number;
  return { n, statuses: Object.fromEntries(statuses), workers: workers.size, ms };
}

/**
 * Waits until `isolates()` reaches 2, sending requests to `path` on fresh connections: the
 * kernel spreads connections over `deno serve` workers, and a worker may still be starting.
 */
async function warmUp(
  base: URL,
  path: string,
  isolates: (answer: string) => number,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT;
  for (let count = 0; count < 2;) {
    if (Date.now() > deadline) throw new Error(`Cannot reach 2 isolates in ${START_TIMEOUT} ms`);
    using client = Deno.createHttpClient({});
    count = isolates(await (await fetch(new URL(path, base), { client })).text());
  }
}

/** Starts a session on `base` and returns its cookie (`sid=…`). */
async function newSession(base: URL): Promise<string> {
  const { status, setCookie } = await getJson(new URL("/start", base));
  assert.equal(status, 200);
  const cookie = setCookie.find((line) => line.startsWith("sid="));
  assert.ok(cookie, "the start page set the session cookie");
  return cookie.split(";")[0];
}

const serveArgs = (port: number, entry: string) => [
  "serve",
  "--parallel",
  "-A",
  "--unstable-no-legacy-abort",
  "--host",
  "127.0.0.1",
  "--port",
  String(port),
  entry,
];
const SERVE = (port: number) => serveArgs(port, new URL("_counter_app.ts", HERE).pathname);

interface Backend {
  name: string;
  env(): Record<string, string>;
  cleanup(cookie: string | undefined): Promise<void>;
}

async function fileBackend(): Promise<Backend> {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-parallel-" });
  return {
    name: "FileStore",
    env: () => ({ COUNTER_DIR: dir }),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

function redisBackend(url: string): Backend {
  const prefix = `pubkit:test:race:${crypto.randomUUID()}:`;
  return {
    name: "RedisStore",
    env: () => ({ COUNTER_REDIS_URL: url, COUNTER_PREFIX: prefix }),
    async cleanup(cookie) {
      const id = cookie?.slice("sid=".length).split(".")[0];
      if (!id) return;
      await using store = new RedisStore({ url, prefix, log: () => {} });
      await store.destroy(id);
    },
  };
}

function postgresBackend(url: string): Backend {
  const table = `pubkit_test_race_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  return {
    name: "PostgresStore",
    env: () => ({ COUNTER_DATABASE_URL: url, COUNTER_TABLE: table }),
    async cleanup() {
      const pool = new Pool<PostgresClient>(new PostgresFactory({ connectionString: url }));
      await pool.use((client) =>
        client.query(
          `DROP TABLE IF EXISTS "${table}", "${table}_lock"; DROP SEQUENCE IF EXISTS "${table}_fence"`,
        )
      );
      await pool.close();
    },
  };
}

async function raceOver(
  backend: Backend,
  mode: "workers" | "processes",
  query = "",
): Promise<Awaited<ReturnType<typeof race>>> {
  const children: Child[] = [];
  let cookie: string | undefined;
  try {
    if (mode === "workers") {
      children.push(await start(SERVE(freePort()), { ...backend.env(), DENO_JOBS: "2" }));
    } else {
      const [a, b] = await Promise.all([
        start(RUN, { ...backend.env(), PORT: "0" }),
        start(RUN, { ...backend.env(), PORT: "0" }),
      ]);
      children.push(a, b);
    }
    const bases = children.map((child) => child.url);
    if (mode === "workers") {
      const seen = new Set<string>();
      await warmUp(bases[0], "/worker", (worker) => seen.add(worker).size);
    }
    cookie = await newSession(bases[0]);
    const result = await race(bases, cookie, query);
    console.log(
      `  ${backend.name}, 2 ${mode}${query}: counter ${result.n}/${REQUESTS} in ` +
        `${result.ms.toFixed(0)} ms, ${result.workers} isolates answered, statuses ` +
        JSON.stringify(result.statuses),
    );
    return result;
  } finally {
    const codes = await Promise.all(children.map((child) => child.stop()));
    await backend.cleanup(cookie);
    for (const [i, code] of codes.entries()) {
      assert.equal(code, 0, `child ${i} stopped cleanly:\n${children[i].output.join("\n")}`);
    }
  }
}

function assertExact(result: Awaited<ReturnType<typeof race>>): void {
  assert.deepEqual(result.statuses, { 200: REQUESTS });
  assert.equal(result.workers, 2, "both isolates answered some of the requests");
  assert.equal(result.n, REQUESTS);
}

Deno.test("200 concurrent increments of one session over 2 isolates end at exactly 200 (FileStore)", async (t) => {
  await t.step("deno serve --parallel, 2 workers", async () => {
    const backend = await fileBackend();
    assertExact(await raceOver(backend, "workers"));
  });
  await t.step("2 processes on different ports sharing the folder", async () => {
    const backend = await fileBackend();
    assertExact(await raceOver(backend, "processes"));
  });
  await t.step(
    "without the session lock every increment is refused (409) and nothing is lost",
    async () => {
      // Before unlocked sessions became read-only, this race lost updates.
      const backend = await fileBackend();
      const result = await raceOver(backend, "processes", "?lock=0");
      assert.deepEqual(result.statuses, { 409: REQUESTS });
      assert.equal(result.n, 0);
    },
  );
});

Deno.test({
  name:
    "200 concurrent increments of one session over 2 isolates end at exactly 200 (RedisStore) (needs REDIS_URL)",
  ignore: !redisUrl,
  async fn(t) {
    await t.step("deno serve --parallel, 2 workers", async () => {
      assertExact(await raceOver(redisBackend(redisUrl!), "workers"));
    });
    await t.step("2 processes on different ports", async () => {
      assertExact(await raceOver(redisBackend(redisUrl!), "processes"));
    });
  },
});

Deno.test({
  name:
    "200 concurrent increments of one session over 2 isolates end at exactly 200 (PostgresStore) (needs DATABASE_URL)",
  ignore: !databaseUrl,
  async fn(t) {
    await t.step("deno serve --parallel, 2 workers", async () => {
      assertExact(await raceOver(postgresBackend(databaseUrl!), "workers"));
    });
    await t.step("2 processes on different ports", async () => {
      assertExact(await raceOver(postgresBackend(databaseUrl!), "processes"));
    });
  },
});

Deno.test("the notes board under deno serve --parallel counts 200 concurrent visits of one session", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-parallel-notes-" });
  const visits = (html: string) => Number(html.match(/<strong id="visits">(\d+)<\/strong>/)?.[1]);
  let child: Child | undefined;
  try {
    child = await start(serveArgs(freePort(), new URL("../../example/serve.ts", HERE).pathname), {
      DATA_DIR: dataDir,
      DENO_JOBS: "2",
      // The embedded default (session files, SQLite), whatever the test run's environment says.
      REDIS_URL: "",
      DATABASE_URL: "",
      // A console.log per line, which `deno serve` prefixes with the worker: the warm-up counts
      // the workers that answered from the prefixes.
      LOG: "console",
    });
    const output = child.output;
    const workersLogged = () =>
      new Set(
        output.filter((line) => line.includes('"GET /hello"')).map((line) => line.slice(0, 16)),
      )
        .size;
    await warmUp(child.url, "/hello", workersLogged);
    const first = await getJson(child.url);
    assert.equal(first.status, 200);
    assert.equal(visits(first.text), 1);
    const cookie = first.setCookie.find((line) => line.startsWith("sid="))!.split(";")[0];
    const started = performance.now();
    const pages = await Promise.all(
      Array.from({ length: REQUESTS }, () => getJson(child!.url, cookie)),
    );
    const ms = performance.now() - started;
    assert.deepEqual(new Set(pages.map((page) => page.status)), new Set([200]));
    const seen = pages.map((page) => visits(page.text)).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      Array.from({ length: REQUESTS }, (_, i) => i + 2),
      "each visit counted once",
    );
    const last = await getJson(child.url, cookie);
    assert.equal(visits(last.text), REQUESTS + 2);
    console.log(
      `  notes board, 2 workers: ${REQUESTS} visits of one session in ${ms.toFixed(0)} ms`,
    );
  } finally {
    const code: number | undefined = await child?.stop();
    await Deno.remove(dataDir, { recursive: true });
    if (child) assert.equal(code, 0, child.output.join("\n"));
  }
});

const INCREMENTS = 100;
const CLIENTS = 4;

/**
 * The mixed load: `CLIENTS` loops of locked increments (`INCREMENTS` in all, each followed at
 * once by an unlocked read) and `CLIENTS` loops of unlocked reads running until the increments
 * are done, spread over `bases`. Every read that
 * starts after an increment's response completed must see at least that increment's value.
 */
async function mixedLoad(bases: URL[], cookie: string) {
  const done: { n: number; at: number }[] = [];
  const reads: { n: number; start: number }[] = [];
  const statuses: Record<string, number> = {};
  const count = (status: number) => statuses[status] = (statuses[status] ?? 0) + 1;
  let remaining = INCREMENTS;
  let finished = false;
  let turn = 0;
  const base = () => bases[turn++ % bases.length]!;
  const incrementer = async () => {
    while (remaining > 0) {
      remaining--;
      const { status, text } = await getJson(new URL("/inc", base()), cookie);
      count(status);
      if (status === 200) done.push({ n: JSON.parse(text).n, at: performance.now() });
      // The same client's next request, at once (elsewhere, when there are two isolates).
      await read();
    }
  };
  const read = async () => {
    const start = performance.now();
    const { status, text } = await getJson(new URL("/read?lock=0", base()), cookie);
    count(status);
    if (status === 200) reads.push({ n: JSON.parse(text).n, start });
  };
  const reader = async () => {
    while (!finished) await read();
  };
  const readers = Array.from({ length: CLIENTS }, reader);
  await Promise.all(Array.from({ length: CLIENTS }, incrementer));
  finished = true;
  await Promise.all(readers);
  const stale =
    reads.filter((read) => done.some((inc) => inc.at < read.start && inc.n > read.n)).length;
  const final = JSON.parse((await getJson(new URL("/read?lock=0", bases[0]), cookie)).text).n;
  return { final, reads: reads.length, stale, statuses };
}

async function mixedOver(backend: Backend, mode: "one process" | "workers" | "processes") {
  const children: Child[] = [];
  let cookie: string | undefined;
  try {
    if (mode === "workers") {
      children.push(await start(SERVE(freePort()), { ...backend.env(), DENO_JOBS: "2" }));
      const seen = new Set<string>();
      await warmUp(children[0]!.url, "/worker", (worker) => seen.add(worker).size);
    } else {
      const count = mode === "processes" ? 2 : 1;
      children.push(
        ...await Promise.all(
          Array.from({ length: count }, () => start(RUN, { ...backend.env(), PORT: "0" })),
        ),
      );
    }
    const bases = children.map((child) => child.url);
    cookie = await newSession(bases[0]!);
    const result = await mixedLoad(bases, cookie);
    console.log(
      `  ${backend.name}, ${mode}: ${INCREMENTS} locked increments and ${result.reads} unlocked ` +
        `reads: final ${result.final}, stale reads ${result.stale}, statuses ` +
        JSON.stringify(result.statuses),
    );
    assert.deepEqual(Object.keys(result.statuses), ["200"]);
    assert.equal(result.final, INCREMENTS);
    assert.equal(result.stale, 0, "every read after a completed increment saw it");
    assert.ok(result.reads >= INCREMENTS / 2, "the reads really ran alongside");
  } finally {
    const codes = await Promise.all(children.map((child) => child.stop()));
    await backend.cleanup(cookie);
    for (const [i, code] of codes.entries()) {
      assert.equal(code, 0, `child ${i} stopped cleanly:\n${children[i]!.output.join("\n")}`);
    }
  }
}

Deno.test("locked increments mixed with unlocked reads: exact count, no read older than a completed write", async (t) => {
  await t.step("MemoryStore, one process", async () => {
    await mixedOver({
      name: "MemoryStore",
      env: () => ({ COUNTER_MEMORY: "1" }),
      cleanup: () => Promise.resolve(),
    }, "one process");
  });
  await t.step("FileStore, 2 processes sharing the folder", async () => {
    await mixedOver(await fileBackend(), "processes");
  });
  await t.step({
    name: "RedisStore, deno serve --parallel with 2 workers",
    ignore: !redisUrl,
    fn: () => mixedOver(redisBackend(redisUrl!), "workers"),
  });
});
