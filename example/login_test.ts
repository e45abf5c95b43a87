// Log-in under attack, over real HTTP against the notes app: the throttle and the bound on
// concurrent password hashes.
import assert from "node:assert/strict";
import { Pool } from "@pubkit/pool";
import { PostgresFactory } from "@pubkit/pool/postgres";
import { Redis } from "ioredis";
import { THROTTLE_TABLE } from "./lib/login_throttle.ts";
import { notesFixture, type Page, served, servedProcess } from "./_testing.ts";

const WRONG = "Cannot log in: wrong user name or password\n";

Deno.test("log-in: 24 wrong passwords then the right one are stopped within 10 attempts; the owner at another address still logs in", async () => {
  await using fx = await notesFixture();
  await using http = await served(fx.app);
  const owner = http.client("127.0.0.2");
  await owner.signUp("ada", "correct horse battery");

  const attacker = http.client();
  const csrf = await attacker.csrf();
  const answers: Page[] = [];
  for (let i = 1; i <= 25; i++) {
    const password = i <= 24 ? `guess number ${i}` : "correct horse battery";
    answers.push(
      await attacker.request("/account/login", { form: { csrf, name: "ada", password } }),
    );
  }
  const statuses = answers.map((page) => page.status);
  const first = statuses.indexOf(429);
  assert.ok(first >= 0 && first < 10, `the first 429 within 10 attempts: ${statuses}`);
  assert.ok(statuses.slice(0, first).every((status) => status === 401), String(statuses));
  assert.ok(statuses.slice(first).every((status) => status === 429), String(statuses));
  for (const page of answers.slice(first)) {
    const wait = Number(page.headers.get("retry-after"));
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 900, `Retry-After: ${wait}`);
    assert.match(page.text, /^Cannot log in: too many failed attempts; try again in \d+ s\n$/);
  }
  assert.equal(answers[0].text, WRONG);
  assert.equal((await attacker.request("/notes")).location, "/account/login", "never logged in");

  // The owner, at another address, is not locked out by the attacker's failures.
  const home = http.client("127.0.0.2");
  const page = await home.post("/account/login", {
    name: "ada",
    password: "correct horse battery",
  });
  assert.equal(page.status, 303);
  assert.equal(page.location, "/notes");
  assert.equal((await home.request("/notes")).status, 200);
});

Deno.test("log-in: a success resets the failures of the account at that address", async () => {
  await using fx = await notesFixture();
  await using http = await served(fx.app);
  const ada = http.client();
  await ada.signUp("ada", "correct horse battery");
  const attempt = async (password: string) =>
    (await ada.post("/account/login", { name: "ada", password })).status;
  // Two failures, a success, two more failures: without the reset the fourth failure would
  // be past the three free ones and the last log-in refused.
  assert.deepEqual(
    [
      await attempt("wrong one!"),
      await attempt("wrong two!"),
      await attempt("correct horse battery"),
      await attempt("wrong three"),
      await attempt("wrong four"),
      await attempt("correct horse battery"),
    ],
    [401, 401, 303, 401, 401, 303],
  );
});

Deno.test("log-in: 32 parallel log-ins keep the median GET / under 20 ms; past the cores they get 503 + Retry-After at once", async () => {
  // The app in its own process, so that the test's clients do not share its CPU time.
  await using http = await servedProcess();
  const users = Array.from({ length: 32 }, (_, i) => ({ name: `user${i}`, client: http.client() }));
  for (const { name, client } of users) {
    await client.signUp(name);
    await client.post("/account/logout", {}, "/notes");
  }
  const tokens = await Promise.all(users.map(({ client }) => client.csrf()));
  const home = http.client();
  await home.request("/");

  // Each client logs in, and when refused waits as told and tries again, until all are in.
  let running = true;
  const refused: { ms: number; retryAfter: string | null }[] = [];
  const accepted: number[] = [];
  const logins = Promise.all(users.map(async ({ name, client }, i) => {
    while (true) {
      const started = performance.now();
      const page = await client.request("/account/login", {
        form: { csrf: tokens[i], name, password: "correct horse" },
      });
      const ms = performance.now() - started;
      if (page.status === 303) return accepted.push(ms);
      assert.equal(page.status, 503, `${name}: ${page.status} ${page.text}`);
      const retryAfter = page.headers.get("retry-after");
      refused.push({ ms, retryAfter });
      await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
    }
  })).finally(() => running = false);
  const homeTimes: number[] = [];
  while (running) {
    const started = performance.now();
    const page = await home.request("/");
    homeTimes.push(performance.now() - started);
    assert.equal(page.status, 200);
  }
  await logins;
  const median = (list: number[]) =>
    list.length === 0 ? NaN : list.toSorted((a, b) => a - b)[Math.floor(list.length / 2)];
  const serverMs = (status: number) =>
    http.logs.flatMap((line) => {
      const match = line.match(/"POST \/account\/login" (\d+) ([\d.]+)ms/);
      return match && Number(match[1]) === status ? [Number(match[2])] : [];
    });

  console.log(
    `GET / median ${median(homeTimes).toFixed(1)} ms over ${homeTimes.length} requests; ` +
      `${refused.length} log-ins refused (median ${
        median(refused.map(({ ms }) => ms)).toFixed(1)
      } ms), ` +
      `32 accepted (median ${median(accepted).toFixed(1)} ms); in the server's log: ` +
      `503 median ${median(serverMs(503))} ms, 303 median ${median(serverMs(303))} ms`,
  );
  assert.equal(accepted.length, 32, "every client logged in in the end");
  assert.ok(median(homeTimes) < 20, `median GET / ${median(homeTimes).toFixed(1)} ms`);
  assert.ok(homeTimes.length >= 10, `${homeTimes.length} GET / while the log-ins ran`);
  assert.ok(refused.length >= 1, "past the cores, log-ins were refused");
  for (const { retryAfter } of refused) assert.equal(retryAfter, "1");
  // At once: a refused log-in does not wait for a password hash to finish.
  assert.ok(
    median(refused.map(({ ms }) => ms)) < median(accepted),
    "refused log-ins are answered sooner than accepted ones",
  );
});

const shared = [["REDIS_URL", "redisUrl"], ["DATABASE_URL", "databaseUrl"]] as const;
for (const [variable, option] of shared) {
  const url = Deno.env.get(variable);
  if (!url) continue;
  Deno.test(`log-in: two app instances (as two workers) on one ${variable} share the throttle`, async () => {
    const keyPrefix = `pubkit:test:${crypto.randomUUID()}:`;
    const name = `ada-${crypto.randomUUID().slice(0, 8)}`;
    try {
      await using worker1 = await notesFixture({ [option]: url, keyPrefix });
      await using worker2 = await notesFixture({ [option]: url, keyPrefix });
      const guesser = worker1.client();
      for (let i = 1; i <= 3; i++) {
        const page = await guesser.post("/account/login", { name, password: `guess ${i}` });
        assert.equal(page.status, 401);
      }
      const elsewhere = await worker2.client().post("/account/login", {
        name,
        password: "guess 4",
      });
      assert.equal(elsewhere.status, 429, "the other instance saw the three failures");
      assert.ok(Number(elsewhere.headers.get("retry-after")) >= 1);
    } finally {
      await removeKeys(variable, url, keyPrefix);
    }
  });
}

/** Removes what a test left under `prefix` in Redis or in the PostgreSQL throttle table. */
async function removeKeys(variable: string, url: string, prefix: string): Promise<void> {
  if (variable === "REDIS_URL") {
    const redis = new Redis(url);
    const keys = await redis.keys(`*${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  } else {
    await using pool = new Pool(new PostgresFactory({ connectionString: url }), { max: 1 });
    await pool.use((db) =>
      db.query(`DELETE FROM ${THROTTLE_TABLE} WHERE key LIKE $1`, [`%${prefix}%`])
    );
  }
}

Deno.test(
  "log-in: a name sign-up could never accept (NUL, controls) is a 401, never a 500 (needs DATABASE_URL)",
  {
    ignore: !Deno.env.get("DATABASE_URL"),
  },
  async () => {
    // PostgreSQL refuses a NUL in text; the name must not reach it.
    await using fx = await notesFixture({ databaseUrl: Deno.env.get("DATABASE_URL") });
    for (const name of ["a\0b", "ada\u0001", "x".repeat(40)]) {
      const page = await fx.client().post("/account/login", { name, password: "whatever-long" });
      assert.equal(page.status, 401, `${JSON.stringify(name)}: ${page.text}`);
      assert.equal(page.text, WRONG);
    }
  },
);
