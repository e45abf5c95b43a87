// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import { LockTimeoutError } from "./errors.ts";
import { MemoryStore } from "./memory_store.ts";
import type { SessionCookie } from "./session.ts";
import { SessionManager, type SessionManagerOptions } from "./session_manager.ts";
import { FakeClock } from "./testing.ts";

const SECRET = "test secret that is long enough for HMAC use";
const OLD_SECRET = "an older secret, still accepted for verifying";

function setup(options: Partial<SessionManagerOptions> = {}) {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, sweepInterval: 0 });
  const manager = new SessionManager({ store, secrets: [SECRET], clock, ...options });
  return { clock, store, manager };
}

/** The `Cookie` request header a browser would send back for a session cookie. */
function cookieOf(cookie: SessionCookie | undefined): Headers {
  assert.ok(cookie, "expected a session cookie");
  return new Headers({ cookie: `${cookie.name}=${cookie.value}` });
}

async function createSession(manager: SessionManager, data: Record<string, unknown> = { a: 1 }) {
  const session = await manager.open(new Headers(), { owner: {} });
  for (const [key, value] of Object.entries(data)) session.set(key, value);
  const cookie = session.cookie();
  const id = session.id;
  await session.close();
  return { id, headers: cookieOf(cookie), cookie: cookie! };
}

Deno.test("SessionManager.open() adopts only correctly signed, known ids", async (t) => {
  const { manager } = setup();
  await using _ = manager;
  const { id, headers, cookie } = await createSession(manager);

  await t.step("a valid cookie opens the stored session", async () => {
    await using session = await manager.open(headers, { owner: {} });
    assert.equal(session.id, id);
    assert.equal(session.isNew, false);
    assert.equal(session.get("a"), 1);
    assert.equal(session.cookie(), undefined);
  });

  await t.step("ids are 256-bit base64url and the cookie is HttpOnly, Lax, Path=/", () => {
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.match(cookie.value, /^[\w-]{43}\.[\w-]{43}$/);
    assert.deepEqual({ ...cookie, value: "" }, {
      name: "sid",
      value: "",
      path: "/",
      domain: undefined,
      sameSite: "lax",
      secure: false,
      httpOnly: true,
    });
  });

  const rejected = {
    "an unsigned id": `sid=${id}`,
    "a tampered signature": `sid=${id}.${"A".repeat(43)}`,
    "a tampered id": `sid=${"x".repeat(43)}.${cookie.value.split(".")[1]}`,
    "garbage": "sid=%00../../etc",
  };
  for (const [name, value] of Object.entries(rejected)) {
    await t.step(`${name} gets a fresh session and no cookie`, async () => {
      await using session = await manager.open(new Headers({ cookie: value }), { owner: {} });
      assert.notEqual(session.id, id);
      assert.equal(session.isNew, true);
      assert.equal(session.get("a"), undefined);
      assert.equal(session.cookie(), undefined);
    });
  }

  await t.step("a signed id unknown to the store is not adopted", async () => {
    const other = setup();
    await using _ = other.manager;
    const foreign = await createSession(other.manager);
    await using session = await manager.open(foreign.headers, { owner: {} });
    assert.notEqual(session.id, foreign.id);
    assert.equal(session.isNew, true);
  });
});

Deno.test("a request waiting behind a log-in never clears the cookie regenerate() set", async () => {
  const { manager } = setup();
  await using _ = manager;
  const { headers } = await createSession(manager);
  const login = await manager.open(headers, { owner: {} });
  // A parallel page of the same browser, with the pre-log-in cookie, waits for the lock.
  const page = manager.open(headers, { owner: {} });
  await login.regenerate();
  login.set("user", "ada");
  const fresh = login.cookie();
  await login.close();
  await using late = await page;
  assert.equal(late.isNew, true);
  // Its response arrives after the log-in's: a clearing cookie would log the browser out.
  assert.equal(late.cookie(), undefined);
  await late.close();
  await using after = await manager.open(cookieOf(fresh), { owner: {} });
  assert.equal(after.get("user"), "ada");
});

Deno.test("a read-only request sees a session its holder keeps past the idle deadline", async () => {
  const { manager, clock } = setup({ idleTimeout: 1000 });
  await using _ = manager;
  const { id, headers } = await createSession(manager, { user: "ada" });
  const holder = await manager.open(headers, { owner: {} });
  clock.tick(1500);
  await using reader = await manager.open(headers, { owner: {}, lock: false });
  assert.deepEqual([reader.id, reader.isNew, reader.get("user")], [id, false, "ada"]);
  assert.equal(reader.cookie(), undefined);
  await holder.close();
  await using after = await manager.open(headers, { owner: {}, lock: false });
  assert.equal(after.get("user"), "ada");
});

Deno.test("SessionManager verifies with every secret and signs with the first", async () => {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, sweepInterval: 0 });
  const before = new SessionManager({ store, secrets: [OLD_SECRET], clock });
  const { id, headers } = await createSession(before);
  const after = new SessionManager({ store, secrets: [SECRET, OLD_SECRET], clock });
  await using _ = after;
  await using session = await after.open(headers, { owner: {} });
  assert.equal(session.id, id);
  await session.regenerate();
  const fresh = session.cookie()!;
  const only = new SessionManager({ store, secrets: [SECRET], clock });
  await session.close();
  await using reopened = await only.open(cookieOf(fresh), { owner: {} });
  assert.equal(reopened.isNew, false);
});

Deno.test("SessionManager cookies: Secure on https and the __Host- prefix", async () => {
  const { manager } = setup({ cookie: { secure: true }, cookieName: "app" });
  await using _ = manager;
  assert.equal(manager.cookieName(false), "__Host-app");
  await using session = await manager.open(new Headers(), { owner: {}, secure: false });
  session.set("x", 1);
  const cookie = session.cookie()!;
  assert.deepEqual([cookie.name, cookie.secure, cookie.path], ["__Host-app", true, "/"]);
});

Deno.test("SessionManager stores a new session only once something is set", async () => {
  const { manager, store } = setup();
  await using _ = manager;
  const session = await manager.open(new Headers(), { owner: {} });
  const id = session.id;
  assert.equal(session.cookie(), undefined);
  await session.close();
  assert.equal(await store.load(id), undefined);
});

Deno.test("SessionManager expires sessions after the idle timeout and absolute lifetime", async (t) => {
  await t.step("idle timeout, renewed by each use", async () => {
    const { manager, clock } = setup({ idleTimeout: 1000, absoluteLifetime: 100_000 });
    await using _ = manager;
    const { id, headers } = await createSession(manager);
    clock.tick(900);
    await (await manager.open(headers, { owner: {} })).close();
    clock.tick(900);
    await using alive = await manager.open(headers, { owner: {} });
    assert.equal(alive.id, id);
    await alive.close();
    clock.tick(1000);
    await using expired = await manager.open(headers, { owner: {} });
    assert.notEqual(expired.id, id);
  });

  await t.step("absolute lifetime, even when used constantly", async () => {
    const { manager, clock } = setup({ idleTimeout: 1000, absoluteLifetime: 2500 });
    await using _ = manager;
    const { id, headers } = await createSession(manager);
    for (let i = 0; i < 2; i++) {
      clock.tick(900);
      await using session = await manager.open(headers, { owner: {} });
      assert.equal(session.id, id);
    }
    clock.tick(900);
    await using expired = await manager.open(headers, { owner: {} });
    assert.notEqual(expired.id, id);
    assert.equal(expired.get("a"), undefined);
  });
});

Deno.test("SessionManager.open() re-enters for the same owner (internal redirect)", async () => {
  const { manager, store } = setup({ lockTimeout: 1000 });
  await using _ = manager;
  const { id, headers } = await createSession(manager, { visits: 0 });
  const request = {};
  // The handler opens the session and writes…
  const outer = await manager.open(headers, { owner: request });
  outer.set("handler", true);
  // …then internally redirects; the target (and its template) open it again.
  const inner = await manager.open(headers, { owner: request, timeout: 500 });
  assert.equal(inner.id, id);
  assert.equal(inner.get("handler"), true);
  inner.set("target", true);
  const template = await manager.open(headers, { owner: request, timeout: 500 });
  template.set("visits", 1);
  await template.close();
  await inner.close();
  // Still locked against other requests until the outermost opening closes.
  await assert.rejects(() => manager.open(headers, { owner: {}, timeout: 20 }), LockTimeoutError);
  await outer.close();
  assert.deepEqual((await store.load(id))?.data, { visits: 1, handler: true, target: true });
});

Deno.test("SessionManager.open() gives the waiter LockTimeoutError, not a hang", async () => {
  const { manager } = setup({ lockTimeout: 50 });
  await using _ = manager;
  const { headers } = await createSession(manager);
  await using holder = await manager.open(headers, { owner: {} });
  const started = performance.now();
  await assert.rejects(() => manager.open(headers, { owner: {} }), LockTimeoutError);
  assert.ok(performance.now() - started < 2000);
  assert.ok(holder.locked);
});

Deno.test("SessionManager.open() waiters that abort leave; a closed holder releases", async () => {
  const { manager } = setup();
  await using _ = manager;
  const { headers } = await createSession(manager);
  const holder = await manager.open(headers, { owner: {} });
  const controller = new AbortController();
  const aborted = manager.open(headers, { owner: {}, signal: controller.signal });
  const next = manager.open(headers, { owner: {} });
  controller.abort(new DOMException("client disconnected", "AbortError"));
  await assert.rejects(() => aborted, { name: "AbortError" });
  // The holder's request ends (the server closes its session even on disconnect).
  await holder.close();
  await using session = await next;
  assert.equal(session.get("a"), 1);
});

Deno.test("Session.regenerate() defeats fixation: the planted id is dead", async () => {
  const { manager, store } = setup();
  await using _ = manager;
  // The attacker gets a valid session cookie and plants it in the victim's browser.
  const planted = await createSession(manager, { theme: "dark" });
  const login = await manager.open(planted.headers, { owner: {} });
  assert.equal(login.id, planted.id);
  await login.regenerate();
  login.set("user", "victim");
  const cookie = login.cookie();
  assert.notEqual(login.id, planted.id);
  assert.ok(!cookie!.value.includes(planted.id));
  await login.close();
  assert.equal(await store.load(planted.id), undefined);
  await using attacker = await manager.open(planted.headers, { owner: {} });
  assert.equal(attacker.get("user"), undefined);
  assert.equal(attacker.isNew, true);
  await using victim = await manager.open(cookieOf(cookie), { owner: {} });
  assert.deepEqual([victim.get("theme"), victim.get("user")], ["dark", "victim"]);
});

Deno.test("Session.invalidate() is not undone by a slower request that started first", async () => {
  const { manager, store } = setup();
  await using _ = manager;
  const { id, headers } = await createSession(manager, { user: "ada" });
  // The slow request opens first and is still working…
  const slow = await manager.open(headers, { owner: {} });
  // …when the logout request arrives; it waits for the lock.
  const logout = manager.open(headers, { owner: {} }).then(async (session) => {
    await session.invalidate();
    const cookie = session.cookie();
    await session.close();
    return cookie;
  });
  slow.set("cart", ["book"]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  await slow.close();
  assert.deepEqual([(await logout)?.value, (await logout)?.maxAge], ["", 0]);
  assert.equal(await store.load(id), undefined);
  await using after = await manager.open(headers, { owner: {} });
  assert.equal(after.get("user"), undefined);
  assert.equal(after.isNew, true);
});

Deno.test("Session.unlock() lets others in early; lock: false does not wait", async () => {
  const { manager } = setup({ lockTimeout: 1000 });
  await using _ = manager;
  const { headers } = await createSession(manager, { n: 1 });
  const holder = await manager.open(headers, { owner: {} });
  await using reader = await manager.open(headers, { owner: {}, lock: false });
  assert.equal(reader.get("n"), 1);
  assert.equal(reader.locked, false);
  const waiter = manager.open(headers, { owner: {} });
  await holder.unlock();
  await using next = await waiter;
  assert.ok(next.locked);
  await holder.close();
});

Deno.test("Session methods refuse writes after invalidate() and close()", async () => {
  const { manager } = setup();
  await using _ = manager;
  const session = await manager.open(new Headers(), { owner: {} });
  await session.invalidate();
  assert.throws(() => session.set("a", 1), TypeError);
  await session.close();
  await session.close();
  assert.throws(() => session.set("a", 1), TypeError);
});

Deno.test("SessionManager validates its options", () => {
  const store = new MemoryStore({ sweepInterval: 0 });
  assert.throws(() => new SessionManager({ store, secrets: [] }), RangeError);
  assert.throws(() => new SessionManager({ store, secrets: ["short"] }), RangeError);
  assert.throws(
    () => new SessionManager({ store, secrets: [SECRET], ttl: 1 } as never),
    RangeError,
  );
  assert.throws(
    () => new SessionManager({ store, secrets: [SECRET], cookieName: "a b" }),
    RangeError,
  );
  assert.throws(() => new SessionManager({ store: {} as never, secrets: [SECRET] }), TypeError);
});

Deno.test("SessionManager verifies exactly one spelling of a signature", async () => {
  const { manager } = setup();
  await using _ = manager;
  const { id, cookie } = await createSession(manager);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = cookie.value.at(-1)!;
  const adopted: string[] = [];
  for (const c of alphabet) {
    if (c === last) continue;
    const value = cookie.value.slice(0, -1) + c;
    await using session = await manager.open(new Headers({ cookie: `sid=${value}` }), {
      owner: {},
      lock: false,
    });
    if (session.id === id) adopted.push(c);
  }
  assert.equal(alphabet.length - 1, 63);
  assert.deepEqual(adopted, [], "no other last character verifies");
  await using genuine = await manager.open(new Headers({ cookie: `sid=${cookie.value}` }), {
    owner: {},
    lock: false,
  });
  assert.equal(genuine.id, id);
});

Deno.test("SessionManager with duplicate cookies: the first that verifies and loads wins", async (t) => {
  const { manager } = setup();
  await using _ = manager;
  const live = await createSession(manager, { user: "ada" });
  // A genuinely signed cookie whose session is gone (logged out), planted by an attacker or
  // left behind: for a longer path (sent first) or a parent domain (sent in creation order).
  const dead = await createSession(manager, { user: "mallory" });
  const invalidate = await manager.open(dead.headers, { owner: {} });
  await invalidate.invalidate();
  await invalidate.close();
  const forged = `${live.id}.${"A".repeat(43)}`;
  const value = (c: SessionCookie) => `sid=${c.value}`;
  const cases: [string, string[], string | undefined][] = [
    [
      "path-style: a stale cookie for /account sent first",
      [value(dead.cookie), value(live.cookie)],
      "ada",
    ],
    ["domain-style: a forged parent-domain cookie sent first", [
      `sid=${forged}`,
      value(live.cookie),
    ], "ada"],
    ["the live cookie first, a stale one after", [value(live.cookie), value(dead.cookie)], "ada"],
    ["only the first two values are checked", [
      `sid=${forged}`,
      value(dead.cookie),
      value(live.cookie),
    ], undefined],
  ];
  for (const [name, values, user] of cases) {
    await t.step(name, async () => {
      const headers = new Headers({ cookie: values.join("; ") });
      await using session = await manager.open(headers, { owner: {} });
      assert.equal(session.get("user"), user);
      assert.equal(session.isNew, user === undefined);
    });
  }
  await t.step("a logout clears the session the live cookie named", async () => {
    const headers = new Headers({ cookie: `${value(dead.cookie)}; ${value(live.cookie)}` });
    const logout = await manager.open(headers, { owner: {} });
    assert.equal(logout.id, live.id);
    await logout.invalidate();
    await logout.close();
    await using after = await manager.open(headers, { owner: {} });
    assert.equal(after.get("user"), undefined);
  });
});

Deno.test("SessionManager cookie options: path, domain, sameSite, secure auto|true|false", async (t) => {
  const cookieFor = async (options: Partial<SessionManagerOptions>, https: boolean) => {
    const { manager } = setup(options);
    await using _ = manager;
    await using session = await manager.open(new Headers(), { owner: {}, secure: https });
    session.set("x", 1);
    const { value: _value, ...cookie } = session.cookie()!;
    return cookie;
  };
  await t.step("defaults: auto Secure and __Host- on https only", async () => {
    assert.deepEqual(await cookieFor({}, false), {
      name: "sid",
      path: "/",
      domain: undefined,
      sameSite: "lax",
      secure: false,
      httpOnly: true,
    });
    assert.deepEqual(await cookieFor({}, true), {
      name: "__Host-sid",
      path: "/",
      domain: undefined,
      sameSite: "lax",
      secure: true,
      httpOnly: true,
    });
  });
  await t.step("a path or a domain keeps the plain name", async () => {
    const withPath = await cookieFor({ cookie: { path: "/app", secure: true } }, true);
    assert.deepEqual([withPath.name, withPath.path, withPath.secure], ["sid", "/app", true]);
    const withDomain = await cookieFor(
      { cookie: { domain: "example.com", sameSite: "strict" } },
      true,
    );
    assert.deepEqual(
      [withDomain.name, withDomain.domain, withDomain.sameSite],
      ["sid", "example.com", "strict"],
    );
  });
  await t.step("secure: false never, true always", async () => {
    assert.equal((await cookieFor({ cookie: { secure: false } }, true)).secure, false);
    assert.equal((await cookieFor({ cookie: { secure: true } }, false)).name, "__Host-sid");
  });
  await t.step("the cookie is read under the name it is set under", async () => {
    const { manager } = setup();
    await using _ = manager;
    const session = await manager.open(new Headers(), { owner: {}, secure: true });
    session.set("x", 1);
    const cookie = session.cookie()!;
    await session.close();
    const headers = cookieOf(cookie);
    await using again = await manager.open(headers, { owner: {}, secure: true });
    assert.equal(again.get("x"), 1);
    // Over plain http the __Host- cookie is not the session cookie.
    await using plain = await manager.open(headers, { owner: {}, secure: false });
    assert.equal(plain.isNew, true);
  });
  await t.step("bad attributes are refused with RangeError", () => {
    const store = new MemoryStore({ sweepInterval: 0 });
    const bad = [
      { path: "app" },
      { path: "/a;b" },
      { domain: "exa mple.com" },
      { sameSite: "none" },
      { sameSite: "loose" },
      { secure: "yes" },
      { expires: 1 },
    ];
    for (const cookie of bad) {
      assert.throws(
        () => new SessionManager({ store, secrets: [SECRET], cookie: cookie as never }),
        RangeError,
        JSON.stringify(cookie),
      );
    }
  });
});
