import assert from "node:assert/strict";
import { HttpError } from "@pubkit/request";
import { html } from "@pubkit/render";
import { type AppHandler, createApp } from "./app.ts";
import { DEFAULT_SECURITY_HEADERS } from "./security_headers.ts";

const DEFAULTS: [string, string][] = [
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "strict-origin-when-cross-origin"],
  ["content-security-policy", "frame-ancestors 'self'"],
];

function assertDefaults(response: Response, what: string): void {
  for (const [name, value] of DEFAULTS) assert.equal(response.headers.get(name), value, what);
}

Deno.test("App sends the default security headers on every kind of response", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/site.css`, "body{}");
  const handlers: Record<string, AppHandler> = {
    "/text": () => "hi",
    "/html": () => html`<p>hi</p>`,
    "/json": () => ({ a: 1 }),
    "/empty": () => undefined,
    "/redirect": (req) => req.redirect("/text"),
    "/own": () => new Response("own", { headers: { "x-own": "1" } }),
    "/immutable": () => Response.redirect("http://localhost/text", 302),
    "/stream": async (req) => {
      await req.write("a");
      await req.write("b");
    },
    "/header": (req) => {
      req.responseHeaders.set("x-page", "1");
      return "hi";
    },
    "/forbidden": () => {
      throw new HttpError(403, "no");
    },
    "/crash": () => {
      throw new Error("boom");
    },
  };
  const app = createApp({
    handler: (req) => {
      const handler = handlers[req.path];
      if (!handler) throw new HttpError(404, "Not Found");
      return handler(req);
    },
    static: { prefix: "/static/", dir },
    log: () => {},
  });
  try {
    for (const path of [...Object.keys(handlers), "/missing", "/static/site.css"]) {
      for (const method of ["GET", "HEAD"]) {
        const response = await app.fetch(new Request(`http://localhost${path}`, { method }));
        await response.arrayBuffer();
        assertDefaults(response, `${method} ${path} (${response.status})`);
      }
    }
    // The 503 a closing app answers with is a response it builds too.
    await app.close();
    const late = await app.fetch(new Request("http://localhost/text"));
    await late.arrayBuffer();
    assert.equal(late.status, 503);
    assertDefaults(late, "GET /text while closing (503)");
  } finally {
    await app.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("App lets a response's own header win over a security header", async () => {
  const app = createApp({
    handler: (req) => {
      if (req.path === "/own") {
        return new Response("x", { headers: { "content-security-policy": "default-src 'none'" } });
      }
      req.responseHeaders.set("Referrer-Policy", "no-referrer");
      return "x";
    },
    accessLog: false,
  });
  const own = await app.fetch(new Request("http://localhost/own"));
  await own.body?.cancel();
  assert.equal(own.headers.get("content-security-policy"), "default-src 'none'");
  const page = await app.fetch(new Request("http://localhost/page"));
  await page.body?.cancel();
  assert.equal(page.headers.get("referrer-policy"), "no-referrer");
  assert.equal(page.headers.get("x-content-type-options"), "nosniff");
  await app.close();
});

Deno.test("createApp({ securityHeaders }) overrides, removes or turns off the defaults", async () => {
  const fetchHeaders = async (
    securityHeaders: Parameters<typeof createApp>[0]["securityHeaders"],
  ) => {
    const app = createApp({ handler: () => "x", accessLog: false, securityHeaders });
    const response = await app.fetch(new Request("http://localhost/"));
    await response.body?.cancel();
    await app.close();
    return response.headers;
  };
  const changed = await fetchHeaders({
    "Content-Security-Policy": "default-src 'self'",
    "referrer-policy": false,
    "x-frame-options": "DENY",
  });
  assert.equal(changed.get("content-security-policy"), "default-src 'self'");
  assert.equal(changed.get("referrer-policy"), null);
  assert.equal(changed.get("x-frame-options"), "DENY");
  assert.equal(changed.get("x-content-type-options"), "nosniff");
  const none = await fetchHeaders(false);
  for (const name of Object.keys(DEFAULT_SECURITY_HEADERS)) assert.equal(none.get(name), null);
  assert.throws(
    () => createApp({ handler: () => "", securityHeaders: { "x-bad": "a\r\nb" } }),
    TypeError,
  );
});

Deno.test("securityHeaders in _config.ts change the headers of a folder's pages", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/admin`);
    await Deno.mkdir(`${root}/admin/embed`);
    await Deno.writeTextFile(`${root}/index.ts`, `export const index = () => "home";`);
    await Deno.writeTextFile(
      `${root}/admin/_config.ts`,
      `export default { securityHeaders: { "Content-Security-Policy": "default-src 'none'", ` +
        `"x-frame-options": "DENY", "referrer-policy": false } };`,
    );
    await Deno.writeTextFile(
      `${root}/admin/index.ts`,
      `export const index = () => "admin";
       export const fail = () => { throw new Error("boom"); };`,
    );
    await Deno.writeTextFile(
      `${root}/admin/embed/_config.ts`,
      `export default { securityHeaders: { "content-security-policy": false } };`,
    );
    await Deno.writeTextFile(`${root}/admin/embed/index.ts`, `export const index = () => "e";`);
    const app = createApp({ publish: { root }, log: () => {} });
    const headers = async (path: string) => {
      const response = await app.fetch(new Request(`http://localhost${path}`));
      await response.body?.cancel();
      return response.headers;
    };
    try {
      const home = await headers("/");
      assert.equal(home.get("content-security-policy"), "frame-ancestors 'self'");
      for (const path of ["/admin", "/admin/fail"]) {
        const admin = await headers(path);
        assert.equal(admin.get("content-security-policy"), "default-src 'none'", path);
        assert.equal(admin.get("x-frame-options"), "DENY", path);
        assert.equal(admin.get("referrer-policy"), null, path);
        assert.equal(admin.get("x-content-type-options"), "nosniff", path);
      }
      const embed = await headers("/admin/embed");
      assert.equal(embed.get("content-security-policy"), null);
      assert.equal(embed.get("x-frame-options"), "DENY");
    } finally {
      await app.close();
    }
    await Deno.mkdir(`${root}/bad`);
    await Deno.writeTextFile(
      `${root}/bad/_config.ts`,
      `export default { securityHeaders: { "x-bad": 1 } };`,
    );
    await assert.rejects(
      createApp({ publish: { root: `${root}/bad` }, log: () => {} }).start(),
      /securityHeaders "x-bad"/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
