// Behind nginx (docs/DEPLOY.md): three app hosts on loopback, each `deno serve --parallel` of the
// notes board with sessions in Redis and notes in PostgreSQL, behind Debian's nginx with
// round-robin and proxy_next_upstream. Runs when REDIS_URL and DATABASE_URL are set and nginx is
// installed (the name says so); with the URLs set, a service that does not answer fails it.
import assert from "node:assert/strict";
import { Client, titles } from "../../example/_testing.ts";
import { NGINX } from "./_nginx.ts";
import { assertCleanStop, type Host, JOBS, type Site, startSite } from "./_site.ts";

const redisUrl = Deno.env.get("REDIS_URL");
const databaseUrl = Deno.env.get("DATABASE_URL");
const nginxInstalled = await Deno.stat(NGINX).then((info) => info.isFile, () => false);
// Not run (and named so by `deno task test`) without both URLs or without nginx.
const ignore = !redisUrl || !databaseUrl || !nginxInstalled;

const RACE = 200;
const LOAD_CLIENTS = 4;
const WARM_TIMEOUT = 20_000;
/** The whole test's bound: past it every process is killed, which fails whatever waits on them. */
const TEST_TIMEOUT = 150_000;

/** Fails at once, naming the service, when REDIS_URL or DATABASE_URL does not answer. */
async function assertServicesAnswer(): Promise<void> {
  const services = { REDIS_URL: [redisUrl!, 6379], DATABASE_URL: [databaseUrl!, 5432] } as const;
  for (const [name, [value, defaultPort]] of Object.entries(services)) {
    const url = new URL(value);
    const address = { hostname: url.hostname, port: Number(url.port || defaultPort) };
    const connected = await Promise.race([
      Deno.connect(address).then((conn) => (conn.close(), true), () => false),
      new Promise<false>((resolve) => setTimeout(resolve, 2_000, false)),
    ]);
    assert.ok(connected, `${name} is set but nothing answers at ${url.host}`);
  }
}

/** The visit counter of the home page (kept in the session). */
function visits(html: string): number {
  const n = Number(html.match(/<strong id="visits">(\d+)<\/strong>/)?.[1]);
  assert.ok(Number.isInteger(n), `a visit count on the page:\n${html.slice(0, 300)}`);
  return n;
}

/** `host:port` → requests nginx sent there (counting every try), from its access log. */
async function spread(site: Site): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of await site.nginx.accessLog()) {
    for (const upstream of line.upstreams) counts[upstream] = (counts[upstream] ?? 0) + 1;
  }
  return counts;
}

/** Waits until `host` has served `count` more requests, sending GET /hello through nginx. */
async function warm(site: Site, host: Host, count = 1): Promise<void> {
  const before = host.served("/hello");
  const deadline = Date.now() + WARM_TIMEOUT;
  while (host.served("/hello") < before + count) {
    assert.ok(Date.now() < deadline, `host ${host.port} got no request in ${WARM_TIMEOUT} ms`);
    const response = await fetch(new URL("/hello", site.nginx.http));
    await response.body?.cancel();
    assert.equal(response.status, 200);
    // Lines arrive through a pipe: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One client visiting the home page in a loop, with its own session, until `done.value`: every
 * answer must be 200 and count one visit more than the previous answer.
 */
async function visitLoop(site: Site, done: { value: boolean }) {
  const client = new Client(fetch, site.nginx.http.origin);
  let last = visits((await client.request("/")).text);
  let lastFrom = "";
  const failures: string[] = [];
  let requests = 0;
  let ok = 0;
  let slowest = 0;
  while (!done.value) {
    requests++;
    try {
      const started = performance.now();
      const page = await client.request("/");
      slowest = Math.max(slowest, performance.now() - started);
      // nginx's own header: the hosts tried and what each answered.
      const from = page.headers.get("x-upstream");
      if (page.status !== 200) {
        const id = page.text.match(/request ([0-9a-f-]{36})/)?.[1];
        const logged = id ? site.hosts.flatMap((host) => host.grep(id)) : [];
        failures.push(`${page.status} (${from}) ${page.text.slice(0, 100)} ${logged.join("\n")}`);
        continue;
      }
      const n = visits(page.text);
      if (n !== last + 1) failures.push(`visit ${n} (${from}) after ${last} (${lastFrom})`);
      [last, lastFrom] = [n, `${from}`];
      ok++;
    } catch (error) {
      failures.push(String(error));
    }
  }
  const final = visits((await client.request("/")).text);
  return { requests, ok, failures, final, slowest };
}

/** SIGTERM each host in turn, wait for its exit, check its cleanups ran, start it again. */
async function rollingRestart(site: Site): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const [i, host] of site.hosts.entries()) {
    const report = await host.stop();
    assertCleanStop(report, `host ${i + 1} (rolling restart)`);
    console.log(
      `  host ${i + 1}: SIGTERM → exit 0 in ${report.ms.toFixed(0)} ms after ${report.requests} ` +
        `requests; cleanups ran in ${report.cleanedWorkers.length}/${JOBS} workers`,
    );
    await host.start();
    await warm(site, host);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}

/** `fetch`'s options, with Deno's own `client` (the self-signed certificate for https). */
type FetchInit = RequestInit & { client?: Deno.HttpClient };

/** The address a host logged for one request (its access line shows `req.remoteAddr`). */
async function loggedAddress(site: Site, base: URL, init: FetchInit = {}): Promise<string> {
  // A path no other request uses (a 404 is fine) finds the line, whichever host served it.
  const path = `/hello/probe${crypto.randomUUID().replaceAll("-", "")}`;
  const response = await fetch(new URL(path, base), init);
  await response.body?.cancel();
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = site.hosts.flatMap((host) => host.grep(`"GET ${path}"`))[0];
    if (line) return line.match(/ (\S+) "GET /)![1]; // `<time> <address> "GET <path>" ...`
    assert.ok(Date.now() < deadline, `no host logged ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The `Set-Cookie` line of a new session (the home page opens one). */
async function sessionCookie(base: URL, init: FetchInit = {}): Promise<string> {
  const response = await fetch(base, init);
  await response.body?.cancel();
  // Named `__Host-sid` when Secure (the prefix browsers hold to Secure, Path=/, no Domain).
  const line = response.headers.getSetCookie().find((line) => /^(__Host-)?sid=/.test(line));
  assert.ok(line, `a session cookie from ${base}`);
  return line;
}

Deno.test({
  name: "behind nginx: three deno serve --parallel hosts, Redis sessions, PostgreSQL notes " +
    "(needs REDIS_URL, DATABASE_URL and nginx)",
  ignore,
  async fn(t) {
    await assertServicesAnswer();
    await using site = await startSite({ redisUrl: redisUrl!, databaseUrl: databaseUrl! });
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      console.error(`nginx_test.ts: over ${TEST_TIMEOUT} ms, killing the site`);
      void site[Symbol.asyncDispose]();
    }, TEST_TIMEOUT);
    using _watchdog = { [Symbol.dispose]: () => clearTimeout(watchdog) };
    // Start the hosts one after the other before the parallel steps.
    for (const host of site.hosts) await warm(site, host);

    await t.step("the notes board's flow through nginx: sign up, log in, post, list", async () => {
      const name = `ada${crypto.randomUUID().slice(0, 8)}`;
      const title = `Through nginx ${crypto.randomUUID()}`;
      const ada = new Client(fetch, site.nginx.http.origin);
      await ada.signUp(name, "analytical engine");
      await ada.post("/account/logout", {}, "/notes");
      assert.equal((await ada.request("/notes")).location, "/account/login", "logged out");
      const login = await ada.post("/account/login", { name, password: "analytical engine" });
      assert.equal(login.status, 303, login.text);
      assert.equal(login.location, "/notes");
      await ada.addNote(title, "posted through nginx");
      const board = await ada.request("/notes");
      assert.equal(board.status, 200);
      assert.ok(titles(board.text).includes(title), "the board lists the new note");
      const mine = await ada.request("/notes/mine");
      assert.equal(mine.status, 200);
      assert.ok(mine.text.includes(title), "my notes list the new note");
    });

    await t.step(`${RACE} concurrent visits of one session through nginx end exact`, async () => {
      const client = new Client(fetch, site.nginx.http.origin);
      const first = await client.request("/");
      assert.equal(visits(first.text), 1);
      const cookie = `sid=${client.sid}`;
      const before = await spread(site);
      const started = performance.now();
      const pages = await Promise.all(Array.from({ length: RACE }, async () => {
        const response = await fetch(new URL("/", site.nginx.http), { headers: { cookie } });
        return { status: response.status, text: await response.text() };
      }));
      const ms = performance.now() - started;
      assert.deepEqual([...new Set(pages.map((page) => page.status))], [200]);
      const seen = pages.map((page) => visits(page.text)).sort((a, b) => a - b);
      assert.deepEqual(seen, Array.from({ length: RACE }, (_, i) => i + 2), "each visit once");
      assert.equal(visits((await client.request("/")).text), RACE + 2);
      const after = await spread(site);
      const perHost = Object.keys(after).map((host) => (after[host] ?? 0) - (before[host] ?? 0));
      assert.ok(perHost.every((n) => n > 0), `every host served part of the race: ${perHost}`);
      console.log(`  race: ${RACE} visits in ${ms.toFixed(0)} ms, per host ${perHost.join("/")}`);
    });

    await t.step(
      "trustProxy: the client's address and https as nginx saw them, never a client's word",
      async () => {
        const spoof = { "x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https" };
        using tls = Deno.createHttpClient({ caCerts: [site.nginx.certificate] });
        const direct = new URL(`http://127.0.0.1:${site.hosts[0].port}/`);
        const secure = (line: string) => /;\s*secure\s*(;|$)/i.test(line);

        // The hosts see nginx's connections come from NGINX_ADDRESS, the client is 127.0.0.1.
        assert.equal(await loggedAddress(site, site.nginx.http), "127.0.0.1");
        assert.equal(await loggedAddress(site, site.nginx.https, { client: tls }), "127.0.0.1");
        assert.equal(
          await loggedAddress(site, site.nginx.http, { headers: spoof }),
          "127.0.0.1",
          "nginx replaces a client's X-Forwarded-For",
        );
        assert.equal(
          await loggedAddress(site, direct, { headers: spoof }),
          "127.0.0.1",
          "straight to a host, X-Forwarded-For changes nothing",
        );

        assert.ok(secure(await sessionCookie(site.nginx.https, { client: tls })), "https: Secure");
        assert.ok(!secure(await sessionCookie(site.nginx.http)), "http: not Secure");
        assert.ok(
          !secure(await sessionCookie(site.nginx.http, { headers: spoof })),
          "nginx replaces a client's X-Forwarded-Proto",
        );
        assert.ok(
          !secure(await sessionCookie(direct, { headers: spoof })),
          "straight to a host, X-Forwarded-Proto changes nothing",
        );
      },
    );

    await t.step(
      "rolling restart under load: no failed request, no lost visit, cleanups ran",
      async () => {
        const done = { value: false };
        const [loads] = await Promise.all([
          Promise.all(Array.from({ length: LOAD_CLIENTS }, () => visitLoop(site, done))),
          rollingRestart(site).finally(() => done.value = true),
        ]);
        // For the requests nginx sent to a second host: what the first one answered.
        const retried = (await site.nginx.accessLog()).filter((line) => line.upstreams.length > 1)
          .map((line) => line.upstreamStatuses.join("→"));
        const failures = loads.flatMap((load) => load.failures);
        // nginx's reasons for those tries, from its error log.
        const reasons: Record<string, number> = {};
        for (const line of site.nginx.child.lines) {
          const reason = line.match(/\[(?:error|warn)\] .*?\*\d+ (.*?)(?: while |, client)/)?.[1];
          if (reason) reasons[reason] = (reasons[reason] ?? 0) + 1;
        }
        console.log(
          `  rolling restart: ${loads.reduce((sum, load) => sum + load.requests, 0)} requests ` +
            `from ${LOAD_CLIENTS} clients, ${failures.length} failed, slowest ` +
            `${Math.max(...loads.map((load) => load.slowest)).toFixed(0)} ms; nginx retried ` +
            `${retried.length} on another host (${retried.join(", ")}); nginx: ${
              JSON.stringify(reasons)
            }`,
        );
        assert.deepEqual(failures, []);
        for (const load of loads) {
          assert.equal(load.final, 1 + load.ok + 1, "every answered visit is in the session");
        }
      },
    );

    await t.step(
      "stopping the site: nginx and every host exit 0 after their cleanups",
      async () => {
        assert.ok(!timedOut, `the test ran past ${TEST_TIMEOUT} ms`);
        const reports = await site.stop();
        for (const [i, report] of reports.entries()) assertCleanStop(report, `host ${i + 1}`);
      },
    );
  },
});
