import { HttpError } from "@pubkit/request";
import fc from "fast-check";
import assert from "node:assert/strict";
import { Publisher } from "./mod.ts";
import { dispatch, fixture, PUBLISHED, SECRET } from "./_testing.ts";

/** Hostile paths by class; each class is encoded several ways. */
const HOSTILE: Record<string, string[]> = {
  "dot segments": [
    "/../_secret",
    "/admin/../../etc/passwd",
    "/./_secret",
    "/%2e%2e/_secret",
    "/%2E%2E/_secret",
    "/.%2e/_secret",
    "/%2e./_helpers/helper",
    "/hello/%2e%2e/%2e%2e/_secret",
    "/admin/%2e%2e/_secret",
  ],
  "double-encoded dots": [
    "/%252e%252e/_secret",
    "/%252E%252E/%252E%252E/etc/passwd",
    "/%25%32%65%25%32%65/_secret",
    "/admin/%252e%252e/_secret",
  ],
  "encoded slashes": [
    "/..%2f_secret",
    "/..%2F..%2Fetc%2Fpasswd",
    "/%2e%2e%2f_helpers/helper",
    "/admin%2f_private",
    "/admin%2F_private/leak",
    "/admin%252f_private",
    "/%2fetc%2fpasswd",
  ],
  "backslashes": [
    "/..\\_secret",
    "/admin\\..\\_private",
    "/admin\\_private",
    "/\\_secret",
    "/..%5c_secret",
    "/%2e%2e%5c_secret",
    "/%5c_secret",
    "/%5C_internal%5Cpage",
    "/admin%255c_private",
  ],
  "NUL and control characters": [
    "/_secret%00",
    "/hello%00/_secret",
    "/%00",
    "/index.ts%00.html",
    "/hello%0d%0aX-Injected:%201",
    "/%7f",
    "/hello%09",
    "/admin%00/_private",
  ],
  "invalid percent-encoding": [
    "/%",
    "/%zz",
    "/hello%2",
    "/%e0%80",
    "/%c0%ae%c0%ae/_secret",
    "/%c0%af_secret",
    "/%ff",
    "/%ed%a0%80",
    "/admin/%_private",
  ],
  "NFKC look-alikes": [
    "/%EF%BC%BFsecret",
    "/\uFF3Fsecret",
    "/%EF%B9%8Fsecret",
    "/%E2%80%A5/_secret",
    "/\u2025/_secret",
    "/%E2%80%A4%E2%80%A4/_secret",
    "/%EF%BC%8E%EF%BC%8E/_secret",
    "/admin%EF%BC%8F_private",
    "/admin\uFF0F_private",
    "/admin/\uFF3Fprivate",
  ],
  "underscore names": [
    "/_secret",
    "/%5fsecret",
    "/%5Fsecret",
    "/_internal/page",
    "/_internal/page/show",
    "/admin/_private",
    "/admin/_private/leak",
    "/admin/%5fprivate/leak",
    "/_config",
    "/admin/_config",
    "/api/_private",
    "/_helpers/helper",
  ],
  "dot-files": [
    "/.hidden",
    "/%2ehidden",
    "/%2Ehidden/index",
    "/.git/config",
    "/.env",
    "/.hidden.ts",
  ],
  "symlinks": [
    "/evil",
    "/evil/hello",
    "/escape",
    "/escape/evil",
    "/escape/index",
    "/inner/helper",
    "/inner/shout",
    "/internal/page",
    "/internal/page/show",
  ],
  "attribute walking": [
    "/hello/constructor",
    "/hello/__proto__",
    "/hello/constructor/constructor",
    "/api/constructor",
    "/api/toString",
    "/config/secret",
    "/db/query",
    "/db/connection",
    "/Widget/make",
    "/withProps/attached",
    "/hello/prototype",
  ],
  "file names and odd shapes": [
    "//etc/passwd",
    "///_secret",
    "/index.ts",
    "/index.ts/index",
    "/_secret_text/SECRET",
    "/admin/_private.ts",
    "/" + "a/".repeat(80) + "_secret",
  ],
};

const ALL = Object.values(HOSTILE).flat();

function headers(user?: string): HeadersInit {
  return user ? { authorization: `Basic ${btoa(user)}` } : {};
}

Deno.test("hostile paths never reach an unpublished function", async (t) => {
  assert.ok(ALL.length >= 60, `only ${ALL.length} hostile paths`);
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });

  for (const [name, paths] of Object.entries(HOSTILE)) {
    await t.step(`${name}: resolve() of the raw path is undefined or a 400`, () => {
      for (const path of paths) {
        let route;
        try {
          route = publisher.resolve(path);
        } catch (error) {
          assert.ok(error instanceof HttpError, `${path}: ${error}`);
          assert.equal(error.status, 400, path);
          continue;
        }
        assert.equal(route, undefined, `${path} resolved to ${route?.module}#${route?.name}`);
      }
    });
    await t.step(`${name}: a request is 404 or 400, without the secret`, async () => {
      for (const path of paths) {
        for (const user of [undefined, "alice:wonderland"]) {
          let request: Request;
          try {
            request = new Request(`http://localhost${path}`, { headers: headers(user) });
          } catch {
            continue; // not even a URL: no server would see it
          }
          const response = await dispatch(publisher, request);
          const body = await response.text();
          assert.ok([400, 404].includes(response.status), `${path}: ${response.status}`);
          assert.ok(!body.includes(SECRET), path);
          if (response.status === 404) assert.equal(body, "Not Found");
        }
      }
    });
  }
});

const SEGMENTS = [
  "",
  ".",
  "..",
  "%2e",
  "%2e%2e",
  "%2E.",
  "%2f",
  "%5c",
  "\\",
  "%00",
  "%",
  "%zz",
  "%c0%ae",
  "%252e%252e",
  "\uFF3Fsecret",
  "\u2025",
  "%EF%BC%8F",
  "_secret",
  "%5fsecret",
  "_private",
  "_internal",
  "_config",
  "_helpers",
  "helper",
  ".hidden",
  "hello",
  "index",
  "admin",
  "reports",
  "daily",
  "whoami",
  "api",
  "list",
  "echo",
  "constructor",
  "__proto__",
  "toString",
  "prototype",
  "config",
  "secret",
  "db",
  "query",
  "Widget",
  "make",
  "withProps",
  "attached",
  "escape",
  "evil",
  "inner",
  "internal",
  "page",
  "show",
  "a",
  "b",
  "c",
  "d",
  "e",
  "info",
  "conversions",
  "text",
  "object",
  "hooks",
  "open",
  "shout",
];

Deno.test("property: only allow-listed functions answer 200, nothing answers 5xx", async () => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });
  const segment = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...SEGMENTS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(segment, { minLength: 0, maxLength: 6 }),
      fc.boolean(),
      fc.constantFrom(undefined, "alice:wonderland", "bob:builder", "alice:wrong"),
      fc.constantFrom("GET", "HEAD", "POST"),
      async (segments, trailingSlash, user, method) => {
        const path = "/" + segments.join("/") + (trailingSlash ? "/" : "");
        let request: Request;
        try {
          request = new Request(`http://localhost${path}`, { method, headers: headers(user) });
        } catch {
          return; // not a URL
        }
        const response = await dispatch(publisher, request);
        const body = await response.text();
        assert.ok(response.status < 500, `${path}: ${response.status}`);
        assert.ok(!body.includes(SECRET), `${path} leaked the secret`);
        if (response.status === 200) {
          const route = publisher.resolve(new URL(request.url).pathname);
          const id = route && `${route.module}#${route.name}`;
          assert.ok(id && PUBLISHED.has(id), `${path} answered 200 from ${id}`);
        }
      },
    ),
    { numRuns: 1500 },
  );
});
