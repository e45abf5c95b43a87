import assert from "node:assert/strict";
import { HttpError } from "@pubkit/request";
import { endResponse } from "@pubkit/request/internal";
import { FileStore, MemoryStore, SessionManager } from "@pubkit/session";
import { Pool } from "@pubkit/pool";
import { type AppOptions, createApp } from "./app.ts";

const SECRET = "a test secret of at least thirty-two characters";

function sessionApp(handler: AppOptions["handler"], lockTimeout = 5_000) {
  const sessions = new SessionManager({
    store: new MemoryStore({ sweepInterval: 0 }),
    secrets: [SECRET],
    lockTimeout,
  });
  const app = createApp({ handler, sessions, accessLog: false, log: () => {} });
  return {
    app,
    async [Symbol.asyncDispose]() {
      await app.close();
      await sessions.close();
    },
  };
}

const cookieOf = (response: Response) => response.headers.get("set-cookie")!.split(";")[0];

Deno.test("AppReq: an internal redirect re-enters the session lock; both writes persist", async () => {
  await using env = sessionApp(async (req) => {
    const session = await req.openSession();
    if (req.path === "/controller") {
      session.set("controller", true);
      return req.internalRedirect("/view");
    }
    if (req.path === "/view") {
      const again = await req.openSession();
      assert.equal(again, session);
      session.set("view", true);
      return `controller=${session.get("controller")}`;
    }
    return JSON.stringify({ controller: session.get("controller"), view: session.get("view") });
  }, 500);
  const first = await env.app.fetch(new Request("http://localhost/controller"));
  assert.equal(first.status, 200);
  assert.equal(await first.text(), "controller=true");
  const cookie = cookieOf(first);
  const check = await env.app.fetch(new Request("http://localhost/check", { headers: { cookie } }));
  assert.deepEqual(await check.json(), { controller: true, view: true });
});

Deno.test("AppReq: a session locked past the timeout gives the waiter 503 with Retry-After", async () => {
  const { promise: held, resolve: hold } = Promise.withResolvers<void>();
  const { promise: release, resolve: unblock } = Promise.withResolvers<void>();
  await using env = sessionApp(async (req) => {
    const session = await req.openSession();
    session.set("n", 1);
    if (req.path === "/slow") {
      hold();
      await release;
    }
    return "done";
  }, 100);
  const created = await env.app.fetch(new Request("http://localhost/"));
  await created.text();
  const cookie = cookieOf(created);
  const slow = env.app.fetch(new Request("http://localhost/slow", { headers: { cookie } }));
  await held;
  const waiter = await env.app.fetch(new Request("http://localhost/", { headers: { cookie } }));
  assert.equal(waiter.status, 503);
  assert.equal(waiter.headers.get("retry-after"), "1");
  await waiter.text();
  unblock();
  assert.equal(await (await slow).text(), "done");
});

Deno.test("AppReq.acquire() releases a forgotten lease when the request ends", async () => {
  const pool = new Pool({ create: () => Promise.resolve({}), destroy: () => {} }, { max: 1 });
  const app = createApp({
    accessLog: false,
    startup: [{ name: "pool", run: (app) => void app.addPool("things", pool) }],
    handler: async (req) => {
      await req.acquire("things"); // never released by the handler
      if (req.path === "/unknown") await req.acquire("nope");
      return "ok";
    },
    log: () => {},
  });
  for (let i = 0; i < 3; i++) {
    const response = await app.fetch(new Request("http://localhost/"));
    assert.equal(await response.text(), "ok");
    assert.equal(pool.metrics().borrowed, 0);
  }
  const unknown = await app.fetch(new Request("http://localhost/unknown"));
  assert.equal(unknown.status, 500);
  await unknown.text();
  assert.equal(pool.metrics().borrowed, 0);
  await app.close();
  assert.equal(pool.closed, true);
});

Deno.test("AppReq.session without openSession() is a clear TypeError", async () => {
  await using env = sessionApp((req) => {
    try {
      req.session;
    } catch (error) {
      throw new HttpError(400, (error as Error).message);
    }
    return "unreachable";
  });
  const response = await env.app.fetch(new Request("http://localhost/"));
  assert.equal(response.status, 400);
  assert.match(await response.text(), /Cannot read req.session: no session is open/);
});

Deno.test("AppReq: every response carries the session cookie the session needs at the end", async (t) => {
  await using env = sessionApp(async (req) => {
    const session = await req.openSession();
    session.set("n", 1);
    if (req.path === "/built") return "a page built by the request";
    if (req.path === "/own") return new Response("a response the handler made");
    // Built first, then the id changes: the response must carry the new cookie, not only the old.
    const page = await endResponse(req, "built before regenerate", "text/plain");
    await session.regenerate();
    return page;
  });
  for (const path of ["/built", "/own", "/regenerated"]) {
    await t.step(path, async () => {
      const response = await env.app.fetch(new Request(`http://localhost${path}`));
      await response.text();
      const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]!);
      assert.ok(cookies.length >= 1, `${path}: no Set-Cookie`);
      // The last cookie names the session that exists now: it finds the data.
      const last = cookies.at(-1)!;
      const check = await env.app.fetch(
        new Request("http://localhost/built", { headers: { cookie: last } }),
      );
      await check.text();
      assert.equal(
        check.headers.get("set-cookie"),
        null,
        `${path}: the cookie was not the live one`,
      );
    });
  }
});

Deno.test("AppReq: a locked change is saved before its response, so the next read sees it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-durable-" });
  const sessions = new SessionManager({
    store: new FileStore({ dir, sweepInterval: 0 }),
    secrets: [SECRET],
  });
  const app = createApp({
    sessions,
    accessLog: false,
    handler: async (req) => {
      const session = await req.openSession({ lock: req.path === "/inc" });
      if (req.path === "/inc") session.set("n", ((session.get("n") as number) ?? 0) + 1);
      return String(session.get("n") ?? 0);
    },
  });
  try {
    const first = await app.fetch(new Request("http://localhost/inc"));
    assert.equal(await first.text(), "1");
    const cookie = cookieOf(first);
    const stale: number[] = [];
    for (let i = 2; i <= 20; i++) {
      const inc = await app.fetch(new Request("http://localhost/inc", { headers: { cookie } }));
      assert.equal(await inc.text(), String(i));
      const read = await app.fetch(new Request("http://localhost/read", { headers: { cookie } }));
      if (await read.text() !== String(i)) stale.push(i);
    }
    assert.deepEqual(stale, [], "every read after a completed write saw it");
  } finally {
    await app.close();
    await sessions.close();
    await Deno.remove(dir, { recursive: true });
  }
});
