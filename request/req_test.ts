import assert from "node:assert/strict";
import { HeadersSentError } from "./headers_sent_error.ts";
import { BodyDeadline } from "./body_deadline.ts";
import { BodyBudget } from "./body_budget.ts";
import { HttpError } from "./http_error.ts";
import {
  type Dispatch,
  errorResponseHeaders,
  MAX_REDIRECT_DEPTH,
  type RedirectOptions,
  Req,
  requestChain,
  streamedResponse,
} from "./req.ts";
import type { RequestChain } from "./request_chain.ts";
import { respond } from "./respond.ts";
import type { Fields } from "./fields.ts";
import { parseQuery } from "./urlencoded.ts";
import fc from "fast-check";
import { capturingErrors, serveForTest, within } from "./_test_server.ts";

const decoder = new TextDecoder();

Deno.test("Req exposes the incoming request", () => {
  const req = new Req(
    new Request("http://localhost:8000/a%20b/c?x=1&x=2&y=", {
      method: "POST",
      headers: { cookie: "theme=dark; lang=fr", "x-custom": "yes" },
    }),
    { remoteAddr: "10.0.0.1", id: "req-1" },
  );
  assert.equal(req.method, "POST");
  assert.equal(req.href, "http://localhost:8000/a%20b/c?x=1&x=2&y=");
  assert.equal(req.path, "/a%20b/c");
  assert.deepEqual(req.query.getAll("x"), ["1", "2"]);
  assert.equal(req.query.get("y"), "");
  assert.equal(req.headers.get("x-custom"), "yes");
  assert.deepEqual({ ...req.cookies }, { theme: "dark", lang: "fr" });
  assert.equal(req.remoteAddr, "10.0.0.1");
  assert.equal(req.id, "req-1");
  assert.equal(requestChain(req).id, "req-1");
  assert.equal(req.depth, 0);
  assert.equal(req.prev, undefined);
  assert.equal(Object.getPrototypeOf(req.data), null);
  assert.equal(req.status, 200);
  assert.equal(req.contentType, undefined);
  assert.equal(req.headersSent, false);
});

Deno.test("Req guards a request body with its bodyDeadline and keeps a GET as it is", async () => {
  const bodyDeadline = new BodyDeadline({ timeout: 20, minBytesPerSecond: 0 });
  const get = new Request("http://localhost/");
  assert.equal(new Req(get, { bodyDeadline }).request, get);
  const silent = new ReadableStream<Uint8Array>({ start() {} }); // a client that never sends
  // @ts-ignore: `duplex` is required by the Fetch standard for stream bodies, missing in lib.dom
  const post = new Request("http://localhost/", { method: "POST", body: silent, duplex: "half" });
  const req = new Req(post, { bodyDeadline });
  assert.notEqual(req.request, post);
  assert.equal(req.method, "POST");
  await assert.rejects(
    req.request.text(),
    (e) => e instanceof HttpError && e.status === 408 && /longer than 20 ms/.test(e.message),
  );
});

Deno.test("Req.method is the request's method, standard or not", () => {
  for (
    const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "patch", "MKCOL"]
  ) {
    const request = new Request("http://localhost/", { method });
    assert.equal(new Req(request).method, request.method);
  }
});

Deno.test("Req gives each request a random id unless told one", () => {
  const a = new Req(new Request("http://localhost/"));
  const b = new Req(new Request("http://localhost/"));
  assert.match(a.id, /^[0-9a-f-]{36}$/);
  assert.notEqual(a.id, b.id);
  assert.equal(requestChain(a).id, a.id);
});

Deno.test("Req.query and Req.cookies treat __proto__ and constructor as ordinary keys", () => {
  const before = Object.getOwnPropertyNames(Object.prototype).sort();
  const req = new Req(
    new Request(
      "http://localhost/?__proto__=x&constructor=y&__proto__[polluted]=1&toString=z",
      { headers: { cookie: "__proto__=a; constructor=b; hasOwnProperty=c" } },
    ),
  );
  assert.equal(req.query.get("__proto__"), "x");
  assert.equal(req.query.get("constructor"), "y");
  assert.equal(req.query.get("__proto__[polluted]"), "1");
  assert.equal(req.query.get("toString"), "z");
  assert.equal(req.query.get("valueOf"), undefined);
  assert.equal(req.cookies["__proto__"], "a");
  assert.equal(req.cookies.constructor, "b");
  assert.equal(req.cookies.hasOwnProperty, "c");
  assert.equal(req.cookies.toString, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
  assert.equal((({}) as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
});

Deno.test("Req.status accepts 200-599 only", () => {
  const req = new Req(new Request("http://localhost/"));
  req.status = 404;
  assert.equal(req.status, 404);
  for (const status of [100, 199, 600, 200.5, NaN]) {
    assert.throws(() => (req.status = status), {
      name: "RangeError",
      message: `Cannot set status ${status}: it is not an integer in 200-599`,
    });
  }
  assert.equal(req.status, 404);
});

Deno.test("Req.setCookie() uses safe defaults, Secure on https", async (t) => {
  await t.step("http: HttpOnly, SameSite=Lax, Path=/", () => {
    const req = new Req(new Request("http://localhost/"));
    req.setCookie("sid", "a b");
    assert.deepEqual(req.responseHeaders.getSetCookie(), [
      "sid=a%20b; Path=/; HttpOnly; SameSite=Lax",
    ]);
  });

  await t.step("https: Secure too, unless told otherwise", () => {
    const req = new Req(new Request("https://localhost/"));
    req.setCookie("sid", "1");
    req.setCookie("plain", "2", { secure: false, httpOnly: false });
    assert.deepEqual(req.responseHeaders.getSetCookie(), [
      "sid=1; Path=/; HttpOnly; Secure; SameSite=Lax",
      "plain=2; Path=/; SameSite=Lax",
    ]);
  });

  await t.step("deleteCookie() expires it", () => {
    const req = new Req(new Request("http://localhost/"));
    req.deleteCookie("sid", { path: "/app" });
    assert.deepEqual(req.responseHeaders.getSetCookie(), [
      "sid=; Max-Age=0; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax",
    ]);
  });

  await t.step("a bad name or attribute is a TypeError", () => {
    const req = new Req(new Request("http://localhost/"));
    assert.throws(() => req.setCookie("a b", "1"), TypeError);
    assert.throws(() => req.setCookie("sid", "1", { path: "/\r\nX-Evil: 1" }), TypeError);
    assert.deepEqual(req.responseHeaders.getSetCookie(), []);
  });
});

Deno.test("Req.write() sends chunks as they are written", async () => {
  const writeSecond = Promise.withResolvers<void>();
  await using server = serveForTest(async (req) => {
    await req.write("first chunk");
    await within(writeSecond.promise, "the client to read the first chunk");
    await req.write(new TextEncoder().encode("second chunk"));
  });
  const response = await fetch(server.url());
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  // The handler is still waiting, so this chunk can only have come from the first write.
  const first = await within(reader.read(), "the first chunk");
  assert.equal(decoder.decode(first.value), "first chunk");
  writeSecond.resolve();
  let rest = "";
  for (;;) {
    const { done, value } = await within(reader.read(), "the rest of the body");
    if (done) break;
    rest += decoder.decode(value);
  }
  assert.equal(rest, "second chunk");
});

Deno.test("Req.flush() sends the head before any body", async () => {
  const finish = Promise.withResolvers<void>();
  await using server = serveForTest(async (req) => {
    req.status = 202;
    req.responseHeaders.set("X-Early", "yes");
    await req.flush();
    assert.equal(req.headersSent, true);
    await within(finish.promise, "the client to see the head");
    await req.write("done");
  });
  // fetch() resolves on the head: the handler is still waiting for `finish`.
  const response = await within(fetch(server.url()), "the response head");
  assert.equal(response.status, 202);
  assert.equal(response.headers.get("x-early"), "yes");
  finish.resolve();
  assert.equal(await response.text(), "done");
});

Deno.test("Req throws HeadersSentError naming the attempt after the first write", async () => {
  const attempts: [string, (req: Req) => unknown][] = [
    ["set status 404", (req) => (req.status = 404)],
    ["set header X-Late", (req) => req.responseHeaders.set("X-Late", "1")],
    ["append header X-Late", (req) => req.responseHeaders.append("X-Late", "1")],
    ["delete header X-Early", (req) => req.responseHeaders.delete("X-Early")],
    ["set header WWW-Authenticate", (req) => req.errorHeaders.set("WWW-Authenticate", "Basic")],
    ["set cookie late", (req) => req.setCookie("late", "1")],
    ["set cookie sid", (req) => req.deleteCookie("sid")],
    ["set content type text/html", (req) => (req.contentType = "text/html")],
    ["redirect to /elsewhere", (req) => req.redirect("/elsewhere")],
  ];
  await using server = serveForTest(async (req) => {
    req.responseHeaders.set("X-Early", "1");
    await req.write("started\n");
    for (const [, attempt] of attempts) {
      try {
        attempt(req);
        await req.write("no error\n");
      } catch (error) {
        const ok = error instanceof HeadersSentError;
        await req.write(`${ok ? error.attempted : "wrong error"}|${(error as Error).message}\n`);
      }
    }
  });
  const response = await fetch(server.url());
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("x-early"), "1");
  assert.equal(response.headers.get("x-late"), null);
  assert.equal(response.headers.get("set-cookie"), null);
  assert.equal(response.headers.get("content-type"), "text/plain;charset=UTF-8");
  const lines = (await response.text()).trimEnd().split("\n");
  assert.equal(lines.shift(), "started");
  assert.equal(lines.length, attempts.length);
  for (const [i, [attempted]] of attempts.entries()) {
    assert.equal(
      lines[i],
      `${attempted}|Cannot ${attempted}: the response body has already started, so the status ` +
        `and headers were sent with the first write`,
    );
  }
});

Deno.test("Req's default content type is text/plain;charset=UTF-8; an explicit one wins", async () => {
  await using server = serveForTest(async (req) => {
    const explicit = req.query.get("type");
    if (typeof explicit === "string") req.contentType = explicit;
    if (req.path === "/header") req.responseHeaders.set("Content-Type", "text/csv");
    if (req.path !== "/write") return "hello";
    await req.write("hello");
    return undefined;
  });
  const cases: [string, string][] = [
    ["/write", "text/plain;charset=UTF-8"],
    ["/return", "text/plain;charset=UTF-8"],
    ["/write?type=text/html", "text/html"],
    ["/return?type=application/xml", "application/xml"],
    ["/header", "text/csv"],
  ];
  for (const [path, type] of cases) {
    const response = await fetch(server.url(path));
    assert.equal(await response.text(), "hello", path);
    assert.equal(response.headers.get("content-type"), type, path);
  }
});

Deno.test("Req refuses CR, LF and NUL in header values with a TypeError naming the header", async (t) => {
  await using server = serveForTest((req) => {
    const value = String(req.query.get("v"));
    if (req.path === "/header") req.responseHeaders.set("X-Echo", value);
    if (req.path === "/error-header") req.errorHeaders.append("X-Echo", value);
    if (req.path === "/type") req.contentType = value;
    return "unreachable";
  });
  for (const value of ["a\r\nSet-Cookie: evil=1", "a\nb", "a\rb", "a\0b"]) {
    for (
      const [path, header] of [
        ["/header", "X-Echo"],
        ["/error-header", "X-Echo"],
        ["/type", "Content-Type"],
      ]
    ) {
      await t.step(`${path} ${JSON.stringify(value)}`, async () => {
        const response = await fetch(server.url(`${path}?v=${encodeURIComponent(value)}`));
        assert.equal(response.headers.get("set-cookie"), null);
        assert.equal(response.headers.get("x-echo"), null);
        assert.match(
          await response.text(),
          new RegExp(`^TypeError: Cannot set header ${header}: the value contains CR, LF, NUL`),
        );
      });
    }
  }
});

Deno.test("Req.redirect() percent-encodes Location, so echoed input never becomes a 500", async (t) => {
  await using server = serveForTest((req) => {
    req.setCookie("flash", "saved");
    return req.redirect(String(req.query.get("next")), Number(req.query.get("status") ?? 302));
  });
  const cases: [string, string][] = [
    ["/done", "/done"],
    ["/a b/é?q=☃", "/a%20b/%C3%A9?q=%E2%98%83"],
    ["/x\r\nSet-Cookie: evil=1", "/x%0D%0ASet-Cookie:%20evil=1"],
    ["/nul\0", "/nul%00"],
    ["ORIGIN/a%20b", "ORIGIN/a%20b"],
  ];
  for (const [template, expected] of cases) {
    const origin = new URL(server.url("/")).origin; // same-origin absolute URLs are sent too
    const [next, location] = [template, expected].map((s) => s.replace("ORIGIN", origin));
    await t.step(JSON.stringify(next), async () => {
      const response = await fetch(server.url(`/?next=${encodeURIComponent(next)}`), {
        redirect: "manual",
      });
      await response.body?.cancel();
      assert.equal(response.status, 302);
      assert.equal(response.headers.get("location"), location);
      assert.deepEqual(response.headers.getSetCookie(), [
        "flash=saved; Path=/; HttpOnly; SameSite=Lax",
      ]);
    });
  }

  await t.step("other statuses", async () => {
    for (const status of [301, 303, 307, 308]) {
      const response = await fetch(server.url(`/?next=/x&status=${status}`), {
        redirect: "manual",
      });
      await response.body?.cancel();
      assert.equal(response.status, status);
    }
    const bad = new Req(new Request("http://localhost/"));
    assert.throws(() => bad.redirect("/x", 200), {
      name: "RangeError",
      message: "Cannot redirect with status 200: use 301, 302, 303, 307 or 308",
    });
  });
});

Deno.test("Req.redirect() sends same-origin targets only, unless told otherwise", async (t) => {
  const req = () => new Req(new Request("https://site.example/account/login"));
  // (`///host` is not even a URL to Deno's parser; a browser reads it as `//host`.)
  const refused = (
    location: string,
    options?: RedirectOptions,
    reason = /leaves this site|not a URL/,
  ) =>
    assert.throws(
      () => req().redirect(location, options),
      (e) => e instanceof HttpError && e.status === 400 && reason.test(e.message),
      location,
    );
  await t.step("off-site targets are a 400", () => {
    for (
      const location of [
        "https://evil.example/",
        "//evil.example/x",
        "///evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        " //evil.example",
        "http://site.example/",
        "https://site.example:8443/",
        "https://site.example@evil.example/",
        "https://evil.example\\@site.example/",
        // A backslash is sent as %5C: the browser then reads what is before `@` as a user.
        "//site.example\\@evil.example/",
        "https://site.example\\@evil.example/",
        "mailto:ada@site.example",
      ]
    ) refused(location);
    // On an http page, `https:host` names another origin (on an https page it is a relative path),
    // and behind a TLS-terminating proxy the app sees http while the browser is on https, where
    // `http:host` is another origin: both spellings are refused whichever scheme the app sees.
    for (const page of ["http://site.example/", "https://site.example/"]) {
      for (const location of ["https:evil.example", "http:evil.example/", "http:/evil.example/"]) {
        assert.throws(
          () => new Req(new Request(page)).redirect(location),
          (e) => e instanceof HttpError && e.status === 400,
          `${location} from ${page}`,
        );
      }
    }
  });
  await t.step("javascript:, data: and vbscript: are never sent, even with external", () => {
    for (
      const location of [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
      ]
    ) {
      refused(location, undefined, /URLs are never sent/);
      refused(location, { external: true }, /URLs are never sent/);
    }
  });
  await t.step("paths and same-origin URLs are sent", () => {
    for (
      const location of ["/notes", "notes?page=2", "../", "?x=1", "https://site.example/notes"]
    ) {
      const response = req().redirect(location, 303);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get("location"), location);
    }
  });
  await t.step("off-site with external: true or a listed origin", () => {
    assert.equal(
      req().redirect("https://evil.example/", { external: true }).headers.get("location"),
      "https://evil.example/",
    );
    const options = { status: 307, origins: ["https://accounts.example"] };
    const response = req().redirect("https://accounts.example/sso?x=1", options);
    assert.equal(response.status, 307);
    assert.equal(response.headers.get("location"), "https://accounts.example/sso?x=1");
    refused("https://other.example/", options);
    refused("https://accounts.example\\@evil.example/", options);
  });
});

Deno.test("Req cleanups run last in first out after the response; a failing one is logged", async () => {
  const order: string[] = [];
  const ran = Promise.withResolvers<void>();
  await using server = serveForTest((req) => {
    req.registerCleanup(() => {
      order.push("first registered");
      ran.resolve();
    });
    req.registerCleanup(() => {
      throw new Error("cleanup broke");
    });
    req.registerCleanup(async () => {
      await Promise.resolve();
      order.push("last registered");
    });
    order.push("handler");
    return "ok";
  });
  await capturingErrors(async (logged) => {
    const response = await fetch(server.url());
    assert.equal(await response.text(), "ok");
    await within(ran.promise, "the cleanups");
    assert.deepEqual(order, ["handler", "last registered", "first registered"]);
    assert.equal(logged.length, 1);
    assert.match(String(logged[0][0]), /^\[[0-9a-f-]{36}\] cleanup failed:$/);
    assert.equal((logged[0][1] as Error).message, "cleanup broke");
  });
});

Deno.test("Req cleanups run when the handler throws", async () => {
  const order: string[] = [];
  const ran = Promise.withResolvers<void>();
  await using server = serveForTest((req) => {
    req.registerCleanup(() => {
      order.push("a");
      ran.resolve();
    });
    req.registerCleanup(() => void order.push("b"));
    throw new HttpError(409, "Cannot save: the record changed");
  });
  const response = await fetch(server.url());
  assert.equal(response.status, 409);
  assert.equal(await response.text(), "HttpError: Cannot save: the record changed");
  await within(ran.promise, "the cleanups");
  assert.deepEqual(order, ["b", "a"]);
});

Deno.test("Req cleanups run when the client disconnects mid-stream", async () => {
  const clientGone = Promise.withResolvers<void>();
  const writeFailed = Promise.withResolvers<unknown>();
  const cleanedUp = Promise.withResolvers<string[]>();
  const order: string[] = [];
  await using server = serveForTest(async (req) => {
    req.registerCleanup(() => void order.push("a"));
    req.registerCleanup(() => {
      order.push("b");
      cleanedUp.resolve(order);
    });
    await req.write("first chunk");
    await within(clientGone.promise, "the client to go away");
    try {
      // Deno notices the closed connection on a write; bound the attempts all the same.
      for (let i = 0; i < 1000; i++) {
        await req.write("more ");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } catch (error) {
      writeFailed.resolve(error);
      return;
    }
    writeFailed.reject(new Error("every write succeeded after the client went away"));
  });
  await capturingErrors(async () => {
    const controller = new AbortController();
    const response = await fetch(server.url(), { signal: controller.signal });
    const reader = response.body!.getReader();
    const first = await within(reader.read(), "the first chunk");
    assert.equal(decoder.decode(first.value), "first chunk");
    controller.abort();
    await assert.rejects(reader.read(), { name: "AbortError" });
    clientGone.resolve();
    const error = await within(writeFailed.promise, "the handler's write to fail");
    assert(error instanceof TypeError);
    assert.equal(error.message, "Cannot write to the response: the client went away");
    assert.deepEqual(await within(cleanedUp.promise, "the cleanups"), ["b", "a"]);
  });
});

Deno.test("Req.internalRedirect() dispatches a new Req that reads req.prev.data", async () => {
  const cleanedUp = Promise.withResolvers<void>();
  const order: string[] = [];
  let controllerChain: RequestChain | undefined;
  await using server = serveForTest((req) => {
    if (req.path === "/controller") {
      req.data.result = { total: 42 };
      controllerChain = requestChain(req);
      req.registerCleanup(() => {
        order.push("controller");
        cleanedUp.resolve();
      });
      return req.internalRedirect("/view?format=json");
    }
    req.registerCleanup(() => void order.push("view"));
    return {
      path: req.path,
      format: req.query.get("format"),
      method: req.method,
      header: req.headers.get("x-from-client"),
      prevData: req.prev?.data.result,
      prevPath: req.prev?.path,
      depth: req.depth,
      sharesChain: req.prev !== undefined && requestChain(req) === requestChain(req.prev) &&
        requestChain(req) === controllerChain,
      chainId: requestChain(req).id,
      prevId: req.prev?.id,
      ownId: req.id,
    };
  });
  const response = await fetch(server.url("/controller"), {
    headers: { "x-from-client": "kept" },
  });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.path, "/view");
  assert.equal(body.format, "json");
  assert.equal(body.method, "GET");
  assert.equal(body.header, "kept");
  assert.deepEqual(body.prevData, { total: 42 });
  assert.equal(body.prevPath, "/controller");
  assert.equal(body.depth, 1);
  assert.equal(body.sharesChain, true);
  assert.equal(body.chainId, body.prevId);
  assert.notEqual(body.ownId, body.prevId);
  await within(cleanedUp.promise, "the chain's cleanups");
  assert.deepEqual(order, ["view", "controller"]);
});

Deno.test("Req.internalRedirect() target's req.prev.write() goes to the one response", async () => {
  await using server = serveForTest(async (req) => {
    if (req.path === "/first") return req.internalRedirect("/second");
    await req.prev!.write("test ");
    await req.prev!.flush();
    await req.write("ok");
    return undefined;
  });
  const response = await fetch(server.url("/first"));
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "test ok");
});

Deno.test("Req.internalRedirect() stops a loop at the depth limit with a 500", async () => {
  let deepest = 0;
  await using server = serveForTest((req) => {
    deepest = Math.max(deepest, req.depth);
    return req.internalRedirect("/loop");
  });
  const response = await fetch(server.url("/loop"));
  assert.equal(response.status, 500);
  assert.equal(
    await response.text(),
    `HttpError: Cannot redirect internally to /loop: ${MAX_REDIRECT_DEPTH} redirects in a row ` +
      `(a loop?)`,
  );
  assert.equal(MAX_REDIRECT_DEPTH, 10);
  assert.equal(deepest, 10);
});

Deno.test("Req.internalRedirect() refuses what is not a local path", async (t) => {
  const dispatched: string[] = [];
  const dispatch: Dispatch = (request) => {
    dispatched.push(request.url);
    return Promise.resolve(new Response("dispatched"));
  };
  const req = new Req(new Request("http://localhost/start"), { dispatch });
  for (
    const path of [
      "//evil.example/x",
      "http://evil.example/x",
      "/\\evil.example/x",
      "/\t/evil.example/x",
      "\\\\evil.example",
      "relative",
      "",
      "/\\[",
    ]
  ) {
    await t.step(JSON.stringify(path), () => {
      assert.throws(
        () => req.internalRedirect(path),
        (e) =>
          e instanceof HttpError && e.status === 400 &&
          e.message === `Cannot redirect internally to ${path}: it is not a local path`,
      );
    });
  }
  await t.step("a local path is dispatched", async () => {
    const response = await req.internalRedirect("/next?a=1");
    assert.equal(await response.text(), "dispatched");
    assert.deepEqual(dispatched, ["http://localhost/next?a=1"]);
  });
  await t.step("without a dispatcher", () => {
    assert.throws(() => new Req(new Request("http://localhost/")).internalRedirect("/x"), {
      name: "TypeError",
      message: "Cannot redirect internally: no dispatcher was given",
    });
  });
});

Deno.test("Req.errorHeaders are sent with normal and with error responses", async (t) => {
  await using server = serveForTest((req) => {
    req.errorHeaders.set("WWW-Authenticate", 'Basic realm="pubkit"');
    req.errorHeaders.append("Set-Cookie", "tried=1; Path=/");
    req.setCookie("page", "1");
    req.responseHeaders.set("X-Page", "only on success");
    if (req.query.has("fail")) throw new HttpError(401, "Cannot show the page: log in first");
    return "page";
  });

  await t.step("normal response: response headers plus error headers", async () => {
    const response = await fetch(server.url());
    assert.equal(await response.text(), "page");
    assert.equal(response.headers.get("www-authenticate"), 'Basic realm="pubkit"');
    assert.equal(response.headers.get("x-page"), "only on success");
    assert.deepEqual(response.headers.getSetCookie().sort(), [
      "page=1; Path=/; HttpOnly; SameSite=Lax",
      "tried=1; Path=/",
    ]);
  });

  await t.step("error response: errorResponseHeaders() only", async () => {
    const response = await fetch(server.url("/?fail"));
    assert.equal(response.status, 401);
    assert.equal(await response.text(), "HttpError: Cannot show the page: log in first");
    assert.equal(response.headers.get("www-authenticate"), 'Basic realm="pubkit"');
    assert.equal(response.headers.get("x-page"), null);
    assert.deepEqual(response.headers.getSetCookie(), ["tried=1; Path=/"]);
  });

  await t.step("in process", () => {
    const req = new Req(new Request("http://localhost/"));
    req.errorHeaders.set("Retry-After", "5");
    req.responseHeaders.set("X-Page", "1");
    assert.deepEqual([...errorResponseHeaders(req)], [["retry-after", "5"]]);
  });
});

Deno.test("Req drops a body for a status that cannot have one", async (t) => {
  await t.step("returned body with 204 or 304", async () => {
    for (const status of [204, 304]) {
      const req = new Req(new Request("http://localhost/"));
      const response = await respond(req, (req) => {
        req.status = status;
        return "ignored";
      });
      assert.equal(response.status, status);
      assert.equal(response.body, null);
    }
  });

  await t.step("a write with 204 is a TypeError", async () => {
    const req = new Req(new Request("http://localhost/"));
    req.status = 204;
    await assert.rejects(req.write("x"), {
      name: "TypeError",
      message: "Cannot write a body: status 204 has none",
    });
    assert.equal(req.headersSent, false);
  });
});

Deno.test("Req.path and Req.query read from the URL string agree with URL parsing (property)", () => {
  fc.assert(
    fc.property(
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.constantFrom("", "?", "#", "?#", "/", "//", "/a?b#c?d", "/%2F?%3F#%23"),
      (base, tail) => {
        const url = new URL(base + tail);
        const req = new Req(new Request(url));
        const parsed = new URL(req.request.url);
        assert.equal(req.path, parsed.pathname);
        const outcome = (parse: () => Fields) => {
          try {
            return [...parse().entries()];
          } catch (error) {
            return (error as HttpError).status;
          }
        };
        assert.deepEqual(outcome(() => req.query), outcome(() => parseQuery(parsed.search)));
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Req.path agrees with URL parsing for the other special schemes and odd authorities", () => {
  for (
    const href of [
      "file:///a/b?x=1",
      "ws://h/p?q",
      "wss://h:1/",
      "ftp://u:p@h/a:b",
      "http://[::1]:8000/x?y#z",
      "https://h",
      "http://h?q",
      "http://h/:a//b",
    ]
  ) {
    const req = new Req(new Request(href));
    const url = new URL(href);
    assert.equal(req.path, url.pathname, href);
    assert.deepEqual([...req.query], [...new URLSearchParams(url.search)], href);
  }
});

Deno.test("Req.redirect() sends a short plain-text body, or the given text", async () => {
  const req = () => new Req(new Request("http://localhost/"));
  const plain = req().redirect("/next");
  assert.equal(plain.status, 302);
  assert.equal(plain.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(await plain.text(), "Redirecting to /next\n");
  const chosen = req().redirect("/dummy", { status: 303, text: "test ok" });
  assert.equal(chosen.status, 303);
  assert.equal(chosen.headers.get("location"), "/dummy");
  assert.equal(await chosen.text(), "test ok");
  assert.throws(() => req().redirect("/x", { status: 200 }), RangeError);
});

Deno.test("Req.updateMtime(), setLastModified(), setEtag() and noCache() set the headers", async () => {
  const req = new Req(new Request("http://localhost/"));
  assert.throws(() => req.setLastModified(), TypeError);
  assert.throws(() => req.setEtag(), TypeError);
  req.updateMtime(new Date(200_000));
  req.updateMtime(100_000); // an older time does not win
  assert.equal(req.mtime?.getTime(), 200_000);
  req.setLastModified();
  req.setEtag();
  assert.equal(req.responseHeaders.get("last-modified"), new Date(200_000).toUTCString());
  assert.equal(req.responseHeaders.get("etag"), `W/"${(200_000).toString(36)}"`);
  req.setEtag("v2");
  assert.equal(req.responseHeaders.get("etag"), '"v2"');
  req.noCache();
  assert.equal(req.responseHeaders.get("cache-control"), "no-store, no-cache");
  assert.equal(req.responseHeaders.get("expires"), new Date(0).toUTCString());
  assert.throws(() => req.updateMtime(Number.NaN), TypeError);
  const written = req.write("x"); // commits the head at once
  assert.throws(() => req.noCache(), HeadersSentError);
  await streamedResponse(req)?.body?.cancel();
  await written.catch(() => {});
});

Deno.test("Req answers 304 for a returned body whose validators match the request", async (t) => {
  const page = (req: Req) => {
    req.setEtag('W/"v1"');
    req.updateMtime(new Date("2024-05-01T10:00:00Z"));
    req.setLastModified();
    return "the page";
  };
  const ask = async (headers: Record<string, string>, method = "GET") =>
    await respond(new Req(new Request("http://localhost/", { headers, method })), page);
  await t.step("a strong If-None-Match against the weak ETag", async () => {
    const response = await ask({ "if-none-match": '"v1"' });
    assert.equal(response.status, 304);
    assert.equal(response.body, null);
    assert.equal(response.headers.get("etag"), 'W/"v1"');
  });
  await t.step("If-Modified-Since", async () => {
    const response = await ask({ "if-modified-since": "Wed, 01 May 2024 10:00:00 GMT" });
    assert.equal(response.status, 304);
  });
  await t.step("HEAD too", async () => {
    assert.equal((await ask({ "if-none-match": 'W/"v1"' }, "HEAD")).status, 304);
  });
  await t.step("another tag, or a POST, gets the page", async () => {
    const other = await ask({ "if-none-match": '"v2"' });
    assert.equal(await other.text(), "the page");
    const post = await ask({ "if-none-match": '"v1"' }, "POST");
    assert.equal(await post.text(), "the page");
  });
});

Deno.test("Req.reader() reads the body by lines, one reader per request", async () => {
  const req = new Req(new Request("http://localhost/", { method: "POST", body: "a\nb\n" }));
  assert.equal(req.reader(), req.reader());
  const lines = await req.reader().readLines();
  assert.deepEqual(lines.map((line) => decoder.decode(line)), ["a\n", "b\n"]);
});

Deno.test("Req.reader() counts its buffer against the app's body budget: 503 past it", async () => {
  const bodyBudget = new BodyBudget({ maxBytes: 4 });
  const request = () => new Request("http://localhost/", { method: "POST", body: "0123456789" });
  const req = new Req(request(), { bodyBudget });
  await assert.rejects(req.reader().read(), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 503);
    return true;
  });
  await requestChain(req).runCleanups();
  const small = new Req(new Request("http://localhost/", { method: "POST", body: "abc" }), {
    bodyBudget,
  });
  assert.equal(decoder.decode(await small.reader().read()), "abc"); // the budget was given back
});
