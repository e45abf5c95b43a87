import { HttpError, Req } from "@pubkit/request";
import assert from "node:assert/strict";
import { Publisher, type Route } from "./mod.ts";
import { fetchText, fixture, PUBLISHED, SECRET } from "./_testing.ts";

function routeId(route: Route | undefined): string | undefined {
  return route && `${route.module}#${route.name}`;
}

Deno.test("Publisher publishes exactly the allowed functions of the fixture", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });

  await t.step("the allow-listed functions resolve", () => {
    for (const id of PUBLISHED) {
      const [module, name] = id.split("#");
      const path = "/" + module.replace(/(^|\/)index\.ts$|\.ts$/, "").split("/").filter(Boolean)
        .concat(name.split(".")).join("/");
      assert.equal(routeId(publisher.resolve(path)), id, path);
    }
  });

  await t.step("a plain path answers exactly as its decoded spelling does", () => {
    // Plain paths come from a map built with the table; an encoded letter takes the full
    // split-and-look-up path instead. Both must give the same route object.
    for (const id of PUBLISHED) {
      const [module, name] = id.split("#");
      const path = "/" + module.replace(/(^|\/)index\.ts$|\.ts$/, "").split("/").filter(Boolean)
        .concat(name.split(".")).join("/");
      const encoded = "/%" + path.charCodeAt(1).toString(16) + path.slice(2);
      for (const [plain, slow] of [[path, encoded], [path + "/", encoded + "/"]]) {
        assert.ok(publisher.resolve(plain), plain);
        assert.equal(publisher.resolve(plain), publisher.resolve(slow), `${plain} vs ${slow}`);
      }
    }
  });

  await t.step("everything else is 404 with one body, and never the secret", async () => {
    const unpublished = [
      "/_secret",
      "/config",
      "/config/secret",
      "/version",
      "/db",
      "/db/query",
      "/db/connection",
      "/Widget",
      "/Widget/make",
      "/Gadget",
      "/default",
      "/api/_private",
      "/api/computed",
      "/api/nested",
      "/api/nested/deeper",
      "/api/Klass",
      "/api/toString",
      "/api/constructor",
      "/api/invisible",
      "/api/hiddenSymbol",
      "/service/run",
      "/inherits/inherited",
      "/withProps/attached",
      "/hello/constructor",
      "/hello/prototype",
      "/hello/__proto__",
      "/hello/toString",
      "/toString",
      "/constructor",
      "/__proto__",
      "/hasOwnProperty",
      "/_helpers/helper",
      "/_helpers",
      "/_db/query",
      "/_secret_text",
      "/admin/_private",
      "/admin/_private/leak",
      "/admin/_config",
      "/_internal",
      "/_internal/page",
      "/_internal/page/show",
      "/internal/page",
      "/internal/page/show",
      "/.hidden",
      "/evil",
      "/evil/hello",
      "/escape",
      "/escape/evil",
      "/escape/index",
      "/inner",
      "/inner/shout",
      "/inner/helper",
      "/nope",
      "/nope/deeper",
      "/conversions",
      "/forms",
    ];
    for (const path of unpublished) {
      const { status, body } = await fetchText(publisher, path);
      assert.equal(status, 404, path);
      assert.equal(body, "Not Found", path);
      assert.ok(!body.includes(SECRET));
    }
  });

  await t.step("a re-exported helper is published like any export", async () => {
    assert.equal((await fetchText(publisher, "/shout?word=hi")).body, "HI");
  });
});

Deno.test("Publisher.resolve() follows the documented order", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });
  const cases: [string, string | undefined, string[]][] = [
    ["/", "index.ts#index", []],
    ["/index", "index.ts#index", []],
    ["/index/x", undefined, []],
    ["/hello/extra", undefined, []],
    ["/info", "index.ts#info", []],
    ["/hello/", "index.ts#hello", []],
    ["/info/x/y", "index.ts#info", ["x", "y"]],
    ["/a/b", "a/b.ts#index", []],
    ["/a/b/", "a/b.ts#index", []],
    ["/a/b/c", "a/b.ts#c", []],
    ["/a/b/c/d", "a/b/c.ts#d", []],
    ["/a/b/c/zzz", undefined, []],
    ["/a/b/e", "a/b/index.ts#e", []],
    ["/a/b/index", "a/b.ts#index", []],
    ["/a/b/zzz", undefined, []],
    ["/a", undefined, []],
    ["/api/list/more", undefined, []],
    ["/a/b/shelf", "a/b.ts#shelf.index", []],
    ["/a/b/shelf/", "a/b.ts#shelf.index", []],
    ["/a/b/shelf/index", "a/b.ts#shelf.index", []],
    ["/a/b/shelf/item", "a/b.ts#shelf.item", []],
    ["/a/b/shelf/item/x", undefined, []],
    ["/api", undefined, []],
    ["/admin", "admin/index.ts#index", []],
    ["/admin/zzz", undefined, []],
    ["/admin/reports/daily", "admin/reports/daily.ts#index", []],
  ];
  for (const [path, id, pathInfo] of cases) {
    await t.step(`${path} → ${id ?? "404"}`, () => {
      const route = publisher.resolve(path);
      assert.equal(routeId(route), id);
      if (route) assert.deepEqual(route.pathInfo, pathInfo);
    });
  }
});

Deno.test("Publisher.handle() binds (req, fields, context) and no field can replace req", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });

  await t.step("query fields", async () => {
    assert.equal((await fetchText(publisher, "/hello?name=Ada")).body, "Hello, Ada");
    assert.equal((await fetchText(publisher, "/hello")).body, "Hello, world");
    assert.equal((await fetchText(publisher, "/slow?name=x")).body, "slow x");
  });

  await t.step("body fields", async () => {
    const { body } = await fetchText(publisher, "/hello", {
      method: "POST",
      body: new URLSearchParams({ name: "Body" }),
    });
    assert.equal(body, "Hello, Body");
  });

  await t.step("fields named req, __proto__ or constructor are ordinary fields", async () => {
    const { status, body } = await fetchText(
      publisher,
      "/forms/injected?req=evil&__proto__=x&constructor=y&toString=z",
      { method: "POST", body: new URLSearchParams({ req: "body-evil", name: "n" }) },
    );
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), {
      reqIsReq: true,
      method: "POST",
      fields: {
        req: ["evil", "body-evil"],
        ["__proto__"]: "x",
        constructor: "y",
        toString: "z",
        name: "n",
      },
    });
  });

  await t.step("repeated fields arrive as arrays", async () => {
    const { body } = await fetchText(publisher, "/api/echo?a=1&a=2&b=3");
    assert.deepEqual(JSON.parse(body), { got: { a: ["1", "2"], b: "3" } });
  });

  await t.step("form: false passes the query only and leaves the body unread", async () => {
    const request = new Request("http://localhost/forms/queryOnly?q=1", {
      method: "POST",
      body: new URLSearchParams({ fromBody: "x" }),
    });
    const { body } = await fetchText(publisher, request);
    assert.deepEqual(JSON.parse(body), { fields: { q: "1" } });
    assert.equal(request.bodyUsed, false);
    await request.body?.cancel();
  });

  await t.step("context carries the path info", async () => {
    assert.deepEqual(JSON.parse((await fetchText(publisher, "/info/a%20b/c")).body), {
      pathInfo: ["a b", "c"],
    });
  });
});

Deno.test("Publisher.handle() converts every kind of return value", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });
  const get = (name: string) => fetchText(publisher, `/conversions/${name}`);
  const bytesOf = async (name: string) => {
    const { dispatch } = await import("./_testing.ts");
    const response = await dispatch(publisher, `/conversions/${name}`);
    return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
  };

  await t.step("a string that looks like HTML is still text/plain", async () => {
    const { status, headers, body } = await get("html");
    assert.equal(status, 200);
    assert.equal(headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(body, "  \n<p>fragment</p>");
  });
  await t.step("other strings → text/plain", async () => {
    const { headers, body } = await get("text");
    assert.equal(headers.get("content-type"), "text/plain;charset=UTF-8");
    assert.equal(body, "plain words");
  });
  await t.step("a content type the function set wins", async () => {
    assert.equal((await get("typed")).headers.get("content-type"), "text/csv; charset=utf-8");
    const { response, bytes } = await bytesOf("typedBytes");
    assert.equal(response.headers.get("content-type"), "image/png");
    assert.deepEqual([...bytes], [137, 80]);
  });
  await t.step("Uint8Array and ArrayBuffer → bytes, application/octet-stream", async () => {
    for (const [name, expected] of [["bytes", [1, 2, 3]], ["buffer", [4, 5]]] as const) {
      const { response, bytes } = await bytesOf(name);
      assert.equal(response.headers.get("content-type"), "application/octet-stream");
      assert.deepEqual([...bytes], expected);
    }
  });
  await t.step("a ReadableStream and an async iterable are streamed", async () => {
    assert.equal((await get("stream")).body, "one two");
    assert.equal((await get("iterable")).body, "xyz");
  });
  await t.step("a Response is sent as is", async () => {
    const { status, headers, body } = await get("response");
    assert.equal(status, 201);
    assert.equal(headers.get("x-made"), "1");
    assert.equal(body, "made");
  });
  await t.step("plain objects and arrays → JSON", async () => {
    const object = await get("object");
    assert.equal(object.headers.get("content-type"), "application/json");
    assert.deepEqual(JSON.parse(object.body), { a: 1, nested: { b: [true, null] } });
    assert.deepEqual(JSON.parse((await get("array")).body), [1, "two"]);
  });
  await t.step("undefined with nothing written → 204", async () => {
    const { status, body, headers } = await get("nothing");
    assert.equal(status, 204);
    assert.equal(body, "");
    assert.equal(headers.get("content-type"), null);
  });
  await t.step("undefined after req.write() → what was written, with the status set", async () => {
    const { status, body } = await get("written");
    assert.equal(status, 202);
    assert.equal(body, "chunk1 chunk2");
  });
  await t.step("a status set without a body is kept", async () => {
    const { status, body } = await get("statusOnly");
    assert.equal(status, 201);
    assert.equal(body, "");
  });
  await t.step("a thrown HttpError → its status, message and headers", async () => {
    const { status, body, headers } = await get("teapot");
    assert.equal(status, 418);
    assert.equal(body, "short and stout");
    assert.equal(headers.get("x-teapot"), "1");
    assert.equal(headers.get("x-error-header"), "kept");
  });
  await t.step("any other error rejects for the server to map to 500", async () => {
    const req = new Req(new Request("http://localhost/conversions/notFound"));
    await assert.rejects(async () => await publisher.handle(req), (error: Error) => {
      assert.ok(!(error instanceof HttpError));
      assert.equal(error.message, "not an HttpError");
      return true;
    });
  });
});

Deno.test("Publisher.handle() enforces methods: 405 with Allow, HEAD wherever GET is", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });

  await t.step("a POST-only function refuses GET and HEAD", async () => {
    for (const method of ["GET", "HEAD", "DELETE"]) {
      const { status, headers } = await fetchText(publisher, "/forms/signup", { method });
      assert.equal(status, 405, method);
      assert.equal(headers.get("allow"), "POST");
    }
  });
  await t.step("a GET function refuses POST and lists HEAD", async () => {
    const { status, headers } = await fetchText(publisher, "/forms/search", { method: "POST" });
    assert.equal(status, 405);
    assert.equal(headers.get("allow"), "GET, HEAD");
  });
  await t.step("the default methods are GET, HEAD and POST", async () => {
    const { status, headers } = await fetchText(publisher, "/hello", { method: "DELETE" });
    assert.equal(status, 405);
    assert.equal(headers.get("allow"), "GET, HEAD, POST");
  });
  await t.step("HEAD answers with GET's status and headers and no body", async () => {
    const get = await fetchText(publisher, "/hello?name=x");
    const head = await fetchText(publisher, "/hello?name=x", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-type"), get.headers.get("content-type"));
    assert.equal(head.body, "");
    const search = await fetchText(publisher, "/forms/search?q=x", { method: "HEAD" });
    assert.equal(search.status, 200);
    assert.equal(search.body, "");
  });
  await t.step("HEAD of a streamed response has no body either", async () => {
    const head = await fetchText(publisher, "/conversions/stream", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
  });
});

Deno.test("Publisher.startupHooks() lists hooks in the documented order", async () => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });
  const hooks = publisher.startupHooks<{ log: string[] }>();
  assert.deepEqual(hooks.map((hook) => hook.name), [
    "admin/_config.ts#startup[0]",
    "admin/_config.ts#startup[1]",
    "admin/reports/daily.ts#_startup",
  ]);
  const context = { log: [] as string[] };
  const results = [];
  for (const hook of hooks) results.push(await hook.run(context));
  assert.deepEqual(results.slice(0, 2), ["admin one", "admin two"]);
  assert.deepEqual(context.log, ["daily"]);
});

Deno.test("Publisher.create() runs the before hook first and may answer from it", async () => {
  await using fx = await fixture();
  const seen: string[] = [];
  await using publisher = await Publisher.create({
    root: fx.root,
    before(req, route) {
      seen.push(`${req.method} ${route.path} ${route.scope.session}`);
      return req.headers.has("x-stop") ? new Response("stopped", { status: 503 }) : undefined;
    },
  });
  assert.equal((await fetchText(publisher, "/hello")).body, "Hello, world");
  const stopped = await fetchText(publisher, "/admin", { headers: { "x-stop": "1" } });
  assert.equal(stopped.status, 503);
  assert.equal(stopped.body, "stopped");
  assert.equal((await fetchText(publisher, "/nope")).status, 404);
  assert.deepEqual(seen, ["GET /hello false", "GET /admin lock"]);
});

Deno.test("Publisher.create() validates its options and reports import failures", async (t) => {
  await t.step("unknown option", async () => {
    await assert.rejects(Publisher.create({ root: ".", devv: true } as never), RangeError);
  });
  await t.step("bad root type", async () => {
    await assert.rejects(Publisher.create({ root: 1 } as never), TypeError);
  });
  await t.step("a module that fails to import is named", async () => {
    const root = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${root}/broken.ts`, "throw new Error('boom');\n");
      await assert.rejects(Publisher.create({ root }), /Cannot import broken\.ts: boom/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
  await t.step("a module hook of the wrong type fails at start-up", async () => {
    const root = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${root}/m.ts`,
        "export const _guard = 42;\nexport const f = () => 1;\n",
      );
      await assert.rejects(
        Publisher.create({ root }),
        /Cannot use m\.ts: guard must be a function/,
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
});

Deno.test("Publisher never publishes native or bound functions", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${root}/api.ts`,
      "export const keys = Object.keys;\n" +
        "export const assign = Object.assign;\n" +
        "export const bound = function () { return 'bound'; }.bind(null);\n" +
        "export const tools = { log: console.log, push: Array.prototype.push, ok() { return 'ok'; } };\n" +
        "export function index() { return 'index'; }\n",
    );
    await using publisher = await Publisher.create({ root });
    for (
      const path of ["/api/keys", "/api/assign", "/api/bound", "/api/tools/log", "/api/tools/push"]
    ) {
      assert.equal(publisher.resolve(path), undefined, path);
    }
    assert.equal(publisher.resolve("/api/tools/ok")?.name, "tools.ok");
    assert.equal(publisher.resolve("/api")?.name, "index");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Publisher.handle() never reads the body for a function without a fields parameter", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${root}/upload.ts`,
      `import { publish } from "@pubkit/publisher";
       export function ignore(req) { return "ignored " + req.method; }
       export const wrapped = publish({ methods: ["POST"] }, (req) => "wrapped");
       export function takes(req, fields) { return "got " + fields.a; }
       export const checked = publish({ fields: { a: "string" } }, (req, { a }) => "checked " + a);`,
    );
    await using publisher = await Publisher.create({ root });
    const post = async (name: string) => {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new TextEncoder().encode("a=1"));
          controller.close();
        },
      }, { highWaterMark: 0 });
      const request = new Request(`http://localhost/upload/${name}`, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      const response = await publisher.handle(new Req(request));
      return { text: await response.text(), pulled };
    };
    assert.deepEqual(await post("ignore"), { text: "ignored POST", pulled: 0 });
    assert.deepEqual(await post("wrapped"), { text: "wrapped", pulled: 0 });
    assert.deepEqual(await post("takes"), { text: "got 1", pulled: 1 });
    assert.deepEqual(await post("checked"), { text: "checked 1", pulled: 1 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
