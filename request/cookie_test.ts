import assert from "node:assert/strict";
import fc from "fast-check";
import { parseCookies, serializeCookie } from "./cookie.ts";

const TOKEN_CHARS = [
  ..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
];
const cookieName = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1 });
// Printable ASCII only: no CR, LF, NUL, other controls, DEL or anything past U+007E.
const PRINTABLE_LINE = /^[\x20-\x7e]*$/;

Deno.test("serializeCookie() applies safe defaults", async (t) => {
  await t.step("HttpOnly, SameSite=Lax and Path=/ unless told otherwise", () => {
    assert.equal(serializeCookie("sid", "abc"), "sid=abc; Path=/; HttpOnly; SameSite=Lax");
  });

  await t.step("explicit attributes win", () => {
    assert.equal(
      serializeCookie("sid", "abc", {
        path: "/app",
        httpOnly: false,
        sameSite: "strict",
        secure: true,
        maxAge: 60,
        domain: "example.com",
      }),
      "sid=abc; Max-Age=60; Domain=example.com; Path=/app; Secure; SameSite=Strict",
    );
  });

  await t.step("SameSite=None without Secure is refused", () => {
    assert.throws(
      () => serializeCookie("sid", "abc", { sameSite: "none" }),
      { name: "TypeError", message: "Cannot set cookie sid: SameSite=None requires Secure" },
    );
    assert.match(
      serializeCookie("sid", "abc", { sameSite: "none", secure: true }),
      /SameSite=None/,
    );
  });
});

Deno.test("serializeCookie() refuses a name that is not an HTTP token", () => {
  for (const name of ["", "a b", "a;b", "a=b", "a\r\nb", "é", 'a"b']) {
    assert.throws(() => serializeCookie(name, "v"), {
      name: "TypeError",
      message: /^Cannot set cookie .*: the name is not an HTTP token$/,
    }, JSON.stringify(name));
  }
});

Deno.test("serializeCookie() refuses an attribute that would break the header", () => {
  assert.throws(() => serializeCookie("sid", "v", { path: "/a;\r\nSet-Cookie: x=1" }), TypeError);
  assert.throws(() => serializeCookie("sid", "v", { domain: "a;b" }), TypeError);
});

Deno.test("serializeCookie() percent-encodes values that could break the header", () => {
  assert.equal(
    serializeCookie("a", "x\r\nSet-Cookie: evil=1; Path=/"),
    "a=x%0D%0ASet-Cookie%3A%20evil%3D1%3B%20Path%3D%2F; Path=/; HttpOnly; SameSite=Lax",
  );
  // A lone surrogate cannot be UTF-8 encoded: it becomes U+FFFD instead of throwing URIError.
  assert.equal(serializeCookie("a", "\ud800"), "a=%EF%BF%BD; Path=/; HttpOnly; SameSite=Lax");
});

Deno.test("parseCookies() returns a record without prototype", async (t) => {
  await t.step("no header gives an empty record", () => {
    const cookies = parseCookies(null);
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.deepEqual(Object.keys(cookies), []);
  });

  await t.step("values are percent-decoded; a malformed escape keeps its raw text", () => {
    const cookies = parseCookies("a=%E2%9C%93; b=%E0%A4%A; c=100%");
    assert.equal(cookies.a, "✓");
    assert.equal(cookies.b, "%E0%A4%A");
    assert.equal(cookies.c, "100%");
  });

  await t.step("the first of duplicate names wins; a pair without = is skipped", () => {
    const cookies = parseCookies("a=1; junk; a=2; b=");
    assert.deepEqual({ ...cookies }, { a: "1", b: "" });
  });

  await t.step("__proto__ and constructor are ordinary keys", () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    const cookies = parseCookies("__proto__=x; constructor=y; toString=z; hasOwnProperty=w");
    assert.equal(cookies["__proto__"], "x");
    assert.equal(cookies.constructor, "y");
    assert.equal(cookies.toString, "z");
    assert.equal(cookies.hasOwnProperty, "w");
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), before);
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.equal(typeof ({}).toString, "function");
  });
});

Deno.test("serializeCookie() always yields one printable line (property)", () => {
  fc.assert(
    fc.property(
      cookieName,
      fc.string({ unit: "binary" }),
      fc.record({
        maxAge: fc.integer({ min: 0, max: 1e9 }),
        httpOnly: fc.boolean(),
        secure: fc.boolean(),
        sameSite: fc.constantFrom<"lax" | "strict">("lax", "strict"),
      }, { requiredKeys: [] }),
      (name, value, options) => {
        const line = serializeCookie(name, value, options);
        assert.match(line, PRINTABLE_LINE);
        // The Fetch API accepts it as a header value, so it can never become a 500.
        new Headers().append("set-cookie", line);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("parseCookies() round-trips what serializeCookie() wrote (property)", () => {
  fc.assert(
    fc.property(cookieName, fc.string({ unit: "binary" }), (name, value) => {
      const pair = serializeCookie(name, value).split("; ")[0];
      // Lone surrogates (unpaired UTF-16 halves) have no UTF-8 form: they come back as U+FFFD,
      // which is exactly what `toWellFormed()` does. Every well-formed string round-trips as is.
      assert.equal(parseCookies(pair)[name], value.toWellFormed());
    }),
    { numRuns: 500 },
  );
});

Deno.test("serializeCookie() refuses what browsers would drop, naming the rule", async (t) => {
  const refused = (name: string, value: string, options: object, rule: RegExp) =>
    assert.throws(() => serializeCookie(name, value, options), {
      name: "TypeError",
      message: rule,
    });
  await t.step("__Host- needs Secure, Path=/ and no Domain", () => {
    const rule =
      /^Cannot set cookie __Host-id: the __Host- prefix requires Secure, Path=\/ and no Domain$/;
    refused("__Host-id", "1", {}, rule);
    refused("__Host-id", "1", { secure: true, path: "/app" }, rule);
    refused("__Host-id", "1", { secure: true, domain: "example.com" }, rule);
    assert.equal(
      serializeCookie("__Host-id", "1", { secure: true }),
      "__Host-id=1; Path=/; HttpOnly; Secure; SameSite=Lax",
    );
  });
  await t.step("__Secure- needs Secure", () => {
    refused("__Secure-id", "1", {}, /the __Secure- prefix requires Secure$/);
    assert.match(
      serializeCookie("__Secure-id", "1", { secure: true, path: "/app", domain: "example.com" }),
      /^__Secure-id=1; Domain=example.com; Path=\/app; HttpOnly; Secure/,
    );
  });
  await t.step("name and value over 4096 bytes", () => {
    assert.ok(serializeCookie("n", "v".repeat(4095)).startsWith("n=v"));
    refused(
      "n",
      "v".repeat(4096),
      {},
      /^Cannot set cookie n: its name and value are 4097 bytes, over the 4096-byte limit/,
    );
    // Counted as sent: percent-encoded.
    refused("n", "é".repeat(683), {}, /4099 bytes/);
  });
});

Deno.test("parseCookies() and serializeCookie() answer as the cookie package (property)", async (t) => {
  const { parse, serialize } = await import("cookie");
  await t.step("parsing any header", () => {
    const part = fc.oneof(
      fc.string({ unit: fc.constantFrom("a", "b", "=", ";", " ", "\t", "%", "2", "F", "é") }),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 6 }).map((parts) => parts.join("")), (header) => {
        const expected = Object.fromEntries(
          Object.entries(parse(header)).filter(([, value]) => value !== undefined),
        );
        assert.deepEqual({ ...parseCookies(header) }, expected);
      }),
      { numRuns: 5_000 },
    );
  });
  await t.step("serializing with any attributes", () => {
    const options = fc.record({
      path: fc.constantFrom("/", "/app", "", "/a;b", "/é"),
      domain: fc.constantFrom(undefined, "example.com", ".example.com", "a;b", "-x.com"),
      maxAge: fc.constantFrom(undefined, 0, 60, -1, 1.5),
      expires: fc.constantFrom(undefined, new Date(0), new Date(NaN)),
      httpOnly: fc.boolean(),
      secure: fc.boolean(),
      partitioned: fc.constantFrom(undefined, true, false),
      sameSite: fc.constantFrom("lax", "strict", "none"),
    }, { requiredKeys: [] });
    fc.assert(
      fc.property(cookieName, fc.string(), options, (name, value, options) => {
        const ours = (() => {
          try {
            return serializeCookie(name, value, options);
          } catch (error) {
            return error instanceof TypeError ? "TypeError" : error;
          }
        })();
        const { path = "/", httpOnly = true, sameSite = "lax", ...rest } = options;
        const theirs = (() => {
          if (sameSite === "none" && !rest.secure) return "TypeError"; // refused before both
          if (name.startsWith("__Host-") || name.startsWith("__Secure-")) return ours;
          try {
            return serialize(name, encodeURIComponent(value.toWellFormed()), {
              ...rest,
              path,
              httpOnly,
              sameSite,
              encode: (v: string) => v,
            });
          } catch (error) {
            return error instanceof TypeError ? "TypeError" : error;
          }
        })();
        assert.equal(ours, theirs);
      }),
      { numRuns: 5_000 },
    );
  });
});
