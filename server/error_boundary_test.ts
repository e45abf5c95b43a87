// The one error boundary holds for errors whose own fields throw when read, and for a handler
// that answers `Response.error()`: a 500 with the security headers and the request id, logged,
// and the request's cleanups run (a session lock is freed). Found by an outside tester.
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import type { AppReq } from "./app_req.ts";

function throwing(): Error {
  const error = new Error("boom");
  Object.defineProperty(error, "status", {
    get() {
      throw new Error("the status getter throws");
    },
  });
  return error;
}

function revoked(): unknown {
  const { proxy, revoke } = Proxy.revocable(new Error("boom"), {});
  revoke();
  return proxy;
}

function hostilePrototype(): unknown {
  return new Proxy(new Error("boom"), {
    getPrototypeOf() {
      throw new Error("getPrototypeOf throws");
    },
  });
}

const CASES: Record<string, (req: AppReq) => unknown> = {
  "a status getter that throws": () => {
    throw throwing();
  },
  "a revoked Proxy": () => {
    throw revoked();
  },
  "a Proxy whose getPrototypeOf throws": () => {
    throw hostilePrototype();
  },
  "Response.error()": () => Response.error(),
};

for (const [name, handler] of Object.entries(CASES)) {
  Deno.test(`a handler failing with ${name} gets the app's 500 and its cleanups run`, async () => {
    const cleaned: string[] = [];
    const logged: unknown[] = [];
    const app = createApp({
      handler: (req) => {
        req.registerCleanup(() => void cleaned.push(req.path));
        return handler(req as AppReq) as Response;
      },
      log: (record) => logged.push(record),
      accessLog: false,
    });
    const response = await app.fetch(new Request("http://localhost/x"));
    assert.equal(response.status, 500);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.ok(response.headers.get("x-request-id"));
    assert.match(await response.text(), /^Internal server error \(request /);
    await app.close();
    assert.deepEqual(cleaned, ["/x"], "the request's cleanups ran");
    assert.equal(logged.length, 1, "the failure is in the app's log");
  });
}

Deno.test("an exposed error's headers cannot make its message anything but plain text", async () => {
  class Teapot extends Error {
    status = 418;
    expose = true;
    headers = { "content-type": "text/html", "x-extra": "kept" };
  }
  const app = createApp({
    handler: () => {
      throw new Teapot("<script>alert(1)</script>");
    },
    accessLog: false,
  });
  const response = await app.fetch(new Request("http://localhost/"));
  assert.equal(response.status, 418);
  assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(response.headers.get("x-extra"), "kept");
  assert.equal(await response.text(), "<script>alert(1)</script>\n");
  await app.close();
});

Deno.test("a request cleanup that never settles is given up after cleanupTimeout, logged, and the ones before it run", async () => {
  const ran: string[] = [];
  const logged: string[] = [];
  const app = createApp({
    handler: (req) => {
      req.registerCleanup(() => void ran.push("release the session lock"));
      req.registerCleanup(() => new Promise(() => {}));
      return "ok";
    },
    cleanupTimeout: 50,
    log: (record) => logged.push(record.message.join("")),
    accessLog: false,
  });
  const response = await app.fetch(new Request("http://localhost/x"));
  assert.equal(await response.text(), "ok");
  await app.close(); // runs what is still in flight
  assert.deepEqual(ran, ["release the session lock"]);
  assert.ok(logged.some((line) => /a request cleanup failed/.test(line)), logged.join("\n"));
});

Deno.test("an app whose start-up hook failed answers 503 with the security headers and logs it once", async () => {
  const logged: unknown[] = [];
  let attempts = 0;
  const app = createApp({
    handler: () => "ok",
    startup: [{
      name: "database",
      run: () => {
        attempts++;
        throw new Error("postgres://user:hunter2@db/notes is unreachable");
      },
    }],
    log: (record) => logged.push(record.properties.error),
    accessLog: false,
  });
  for (let i = 0; i < 3; i++) {
    const response = await app.fetch(new Request("http://localhost/"));
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.doesNotMatch(await response.text(), /hunter2/);
  }
  assert.equal(attempts, 1);
  assert.equal(logged.length, 1);
  await app.close();
});
