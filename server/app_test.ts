import assert from "node:assert/strict";
import { HttpError, type Req } from "@pubkit/request";
import { requestChain } from "@pubkit/request/internal";
import { html } from "@pubkit/render";
import { createApp } from "./app.ts";
import { StartupError } from "./lifecycle.ts";

const quiet = () => {};

Deno.test("App.fetch() maps HttpError to its status and message, and hides 500 details", async (t) => {
  const logged: unknown[] = [];
  const app = createApp({
    handler: (req) => {
      req.errorHeaders.set("www-authenticate", 'Basic realm="notes"');
      if (req.path === "/denied") throw new HttpError(401, "Cannot open notes: log in first");
      throw new Error("secret connection string");
    },
    log: (record) => void logged.push(record.properties.error),
    accessLog: false,
  });
  await t.step("a 4xx shows its message and keeps error headers", async () => {
    const response = await app.fetch(new Request("http://localhost/denied"));
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), 'Basic realm="notes"');
    assert.equal(await response.text(), "Cannot open notes: log in first\n");
  });
  await t.step("anything else is a logged 500 naming the request id only", async () => {
    const response = await app.fetch(new Request("http://localhost/boom"));
    assert.equal(response.status, 500);
    const id = response.headers.get("x-request-id")!;
    const body = await response.text();
    assert.match(body, new RegExp(`request ${id}`));
    assert.doesNotMatch(body, /secret/);
    assert.ok(logged.some((e) => e instanceof Error && e.message.includes("secret")));
  });
  await app.close();
});

Deno.test("App.fetch() runs request cleanups last in first out, also when the handler throws", async () => {
  const order: string[] = [];
  const app = createApp({
    handler: (req) => {
      req.registerCleanup(() => void order.push("first"));
      req.registerCleanup(() => {
        throw new Error("cleanup fails");
      });
      req.registerCleanup(() => void order.push("last"));
      throw new HttpError(400, "Cannot read: bad input");
    },
    log: quiet,
    accessLog: false,
  });
  const response = await app.fetch(new Request("http://localhost/"));
  assert.equal(response.status, 400);
  await response.text();
  assert.deepEqual(order, ["last", "first"]);
  await app.close();
});

Deno.test("App.fetch() runs cleanups of a streamed response once the body is done", async () => {
  const order: string[] = [];
  const app = createApp({
    handler: async (req) => {
      req.registerCleanup(() => void order.push("cleanup"));
      await req.write("a");
      order.push("handler done");
    },
    accessLog: false,
  });
  const response = await app.fetch(new Request("http://localhost/"));
  assert.deepEqual(order, []);
  assert.equal(await response.text(), "a");
  assert.deepEqual(order, ["handler done", "cleanup"]);
  await app.close();
});

Deno.test("Req.internalRedirect() through the app sees req.prev.data and shares the chain", async (t) => {
  const chains = new Set<unknown>();
  const app = createApp({
    handler: (req: Req) => {
      chains.add(requestChain(req));
      if (req.path === "/controller") {
        req.data.notes = ["one", "two"];
        return req.internalRedirect("/view");
      }
      if (req.path === "/view") return `notes: ${(req.prev?.data.notes as string[]).join(",")}`;
      if (req.path === "/loop") return req.internalRedirect("/loop");
      throw new HttpError(404, "Not found");
    },
    log: quiet,
    accessLog: false,
  });
  await t.step("the view reads what the controller stashed", async () => {
    const response = await app.fetch(new Request("http://localhost/controller"));
    assert.equal(await response.text(), "notes: one,two");
    assert.equal(chains.size, 1);
  });
  await t.step("a redirect loop stops at the depth limit with a 500", async () => {
    const response = await app.fetch(new Request("http://localhost/loop"));
    assert.equal(response.status, 500);
    await response.text();
  });
  await app.close();
});

Deno.test("App.start() runs start-up hooks in order and a failure stops the start", async (t) => {
  await t.step("in order, once, with cleanups in reverse at close", async () => {
    const order: string[] = [];
    const app = createApp({
      handler: () => "ok",
      accessLog: false,
      startup: [
        {
          name: "a",
          run: (
            app,
          ) => (order.push("start a"), app.registerCleanup(() => void order.push("stop a"))),
        },
        {
          name: "b",
          run: (
            app,
          ) => (order.push("start b"), app.registerCleanup(() => void order.push("stop b"))),
        },
      ],
    });
    await (await app.fetch(new Request("http://localhost/"))).text();
    await (await app.fetch(new Request("http://localhost/"))).text();
    await app.close();
    assert.deepEqual(order, ["start a", "start b", "stop b", "stop a"]);
  });
  await t.step("a failing hook rejects with StartupError naming it", async () => {
    const order: string[] = [];
    const app = createApp({
      handler: () => "ok",
      log: quiet,
      startup: [
        { name: "pool", run: (app) => app.registerCleanup(() => void order.push("stop pool")) },
        {
          name: "migrations",
          run: () => {
            throw new Error("no such table");
          },
        },
      ],
    });
    await assert.rejects(app.start(), (error: unknown) => {
      assert.ok(error instanceof StartupError);
      assert.equal(error.hook, "migrations");
      assert.match(error.message, /Cannot start: start-up hook migrations failed: no such table/);
      return true;
    });
    assert.deepEqual(order, ["stop pool"]);
  });
});

Deno.test("App.serve() drains: an in-flight request finishes, later ones get 503, then cleanups run", async () => {
  const order: string[] = [];
  const { promise: entered, resolve: enter } = Promise.withResolvers<void>();
  const { promise: release, resolve: unblock } = Promise.withResolvers<void>();
  const controller = new AbortController();
  const { promise: listening, resolve: listen } = Promise.withResolvers<URL>();
  const app = createApp({
    handler: async (req) => {
      if (req.path === "/slow") {
        enter();
        await release;
        order.push("slow done");
        return "slow";
      }
      return "fast";
    },
    accessLog: false,
    startup: [{ name: "c", run: (app) => app.registerCleanup(() => void order.push("cleanup")) }],
  });
  const served = app.serve({
    port: 0,
    signal: controller.signal,
    handleSignals: false,
    onListen: listen,
  });
  const url = await listening;
  const slow = fetch(new URL("/slow", url));
  await entered;
  controller.abort();
  // The listener is closing; the app answers requests that still reach it with 503.
  const late = await app.fetch(new Request(new URL("/fast", url)));
  assert.equal(late.status, 503);
  assert.equal(late.headers.get("connection"), "close");
  await late.text();
  unblock();
  const response = await slow;
  assert.equal(await response.text(), "slow");
  await served;
  assert.deepEqual(order, ["slow done", "cleanup"]);
});

Deno.test("App keeps req.remoteAddr for handlers with the access log off", async () => {
  const app = createApp({ handler: (req) => req.remoteAddr ?? "none", accessLog: false });
  const info = {
    remoteAddr: { transport: "tcp", hostname: "203.0.113.7", port: 4000 },
    completed: Promise.resolve(),
  } as unknown as Deno.ServeHandlerInfo;
  // A served request has a Host header (without one it is a 400).
  const request = new Request("http://localhost/", { headers: { host: "localhost" } });
  const response = await app.fetch(request, info);
  assert.equal(await response.text(), "203.0.113.7");
  await app.close();
});

Deno.test("App.serve({ connectionDeadlines }) closes a slow head and keeps the client address", async () => {
  const { promise: listening, resolve: listen } = Promise.withResolvers<URL>();
  const controller = new AbortController();
  const app = createApp({ handler: (req) => req.remoteAddr ?? "none", accessLog: false });
  const served = app.serve({
    port: 0,
    signal: controller.signal,
    handleSignals: false,
    onListen: listen,
    connectionDeadlines: { headTimeout: 300, idleTimeout: 5_000 },
  });
  const url = await listening;
  const response = await fetch(url);
  assert.equal(await response.text(), "127.0.0.1");
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n"));
  const started = performance.now();
  const read = await conn.read(new Uint8Array(100)).catch(() => null);
  assert.equal(read, null, "the guard closed the connection");
  assert.ok(performance.now() - started < 3_000);
  conn.close();
  controller.abort();
  await served;
});

Deno.test("App serves a returned string as text/plain and an html result as text/html", async () => {
  const app = createApp({
    handler: (req) => {
      const name = req.query.get("name") ?? "world";
      return req.path === "/html" ? html`<p>Hello, ${name}!</p>` : `Hello, ${name}!`;
    },
    accessLog: false,
  });
  const name = encodeURIComponent("<script>alert(1)</script>");
  const echo = await app.fetch(new Request(`http://localhost/?name=${name}`));
  assert.equal(echo.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(await echo.text(), "Hello, <script>alert(1)</script>!");
  const page = await app.fetch(new Request(`http://localhost/html?name=${name}`));
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.equal(await page.text(), "<p>Hello, &lt;script&gt;alert(1)&lt;/script&gt;!</p>");
  await app.close();
});

Deno.test("App answers 400 with a message for a client-supplied off-site redirect target", async () => {
  const app = createApp({
    handler: (req) => {
      const next = String(req.query.get("next") ?? "/");
      return req.path === "/internal" ? req.internalRedirect(next) : req.redirect(next, 303);
    },
    accessLog: false,
  });
  for (const next of ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]) {
    for (const path of ["/login", "/internal"]) {
      const url = `http://localhost${path}?next=${encodeURIComponent(next)}`;
      const response = await app.fetch(new Request(url));
      assert.equal(response.status, 400, url);
      assert.match(await response.text(), /^Cannot redirect (internally )?to /);
    }
  }
  const ok = await app.fetch(new Request("http://localhost/login?next=/notes"));
  assert.equal(ok.status, 303);
  assert.equal(ok.headers.get("location"), "/notes");
  await app.close();
});
