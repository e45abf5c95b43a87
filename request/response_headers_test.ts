import assert from "node:assert/strict";
import fc from "fast-check";
import { HeadersSentError } from "./headers_sent_error.ts";
import { checkHeader, ResponseHeaders } from "./response_headers.ts";

Deno.test("checkHeader() refuses unsafe values with a TypeError naming the header", async (t) => {
  const unsafe: [string, string][] = [
    ["CR", "a\rb"],
    ["LF", "a\nb"],
    ["CRLF injection", "a\r\nSet-Cookie: evil=1"],
    ["NUL", "a\0b"],
    ["another control", "a\x1bb"],
    ["DEL", "a\x7fb"],
    ["a character outside Latin-1", "snow ☃"],
    ["a lone surrogate", "a\ud800"],
  ];
  for (const [what, value] of unsafe) {
    await t.step(what, () => {
      assert.throws(() => checkHeader("X-Echo", value), {
        name: "TypeError",
        message: /^Cannot set header X-Echo: the value contains CR, LF, NUL/,
      });
    });
  }

  await t.step("tab, printable ASCII and Latin-1 pass unchanged", () => {
    assert.equal(checkHeader("X-Echo", "a\tb ~ é"), "a\tb ~ é");
  });

  await t.step("a name that is not an HTTP token is refused", () => {
    assert.throws(() => checkHeader("X Echo", "1"), {
      name: "TypeError",
      message: 'Cannot set header "X Echo": the name is not an HTTP token',
    });
    assert.throws(() => checkHeader("X-Echo\r\nEvil", "1"), TypeError);
  });
});

Deno.test("checkHeader() percent-encodes Location instead of refusing it", async (t) => {
  await t.step("controls, spaces and non-ASCII are encoded", () => {
    assert.equal(
      checkHeader("Location", "/a b\r\nSet-Cookie: x=1\0/é☃"),
      "/a%20b%0D%0ASet-Cookie:%20x=1%00/%C3%A9%E2%98%83",
    );
  });

  await t.step("existing escapes and URL punctuation are kept", () => {
    assert.equal(
      checkHeader("location", "https://example.com/a%20b?q=1&r=%2F#frag"),
      "https://example.com/a%20b?q=1&r=%2F#frag",
    );
  });

  await t.step("a bare % is encoded, a lone surrogate becomes U+FFFD", () => {
    assert.equal(checkHeader("Location", "/100%"), "/100%25");
    assert.equal(checkHeader("Location", "/%zz"), "/%25zz");
    assert.equal(checkHeader("Location", "/\ud800"), "/%EF%BF%BD");
  });

  await t.step("any string becomes a value the Fetch API accepts (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const encoded = checkHeader("Location", value);
        assert.match(encoded, /^[\x21-\x7e]*$/);
        assert.equal(new Headers({ location: encoded }).get("location"), encoded);
      }),
      { numRuns: 300 },
    );
  });
});

Deno.test("ResponseHeaders checks values before storing them", () => {
  const headers = new ResponseHeaders(() => false);
  assert.throws(() => headers.set("X-Echo", "a\r\nb"), { name: "TypeError", message: /X-Echo/ });
  assert.throws(() => headers.append("X-Echo", "a\nb"), { name: "TypeError", message: /X-Echo/ });
  assert.equal(headers.has("X-Echo"), false);
  headers.set("Location", "/a b");
  assert.equal(headers.get("location"), "/a%20b");
  headers.append("Set-Cookie", "a=1");
  headers.append("Set-Cookie", "b=2");
  assert.deepEqual(headers.getSetCookie(), ["a=1", "b=2"]);
  assert.deepEqual([...new Headers(headers)], [
    ["location", "/a%20b"],
    ["set-cookie", "a=1"],
    ["set-cookie", "b=2"],
  ]);
});

Deno.test("ResponseHeaders throws HeadersSentError once the head was sent", async (t) => {
  let sent = false;
  const headers = new ResponseHeaders(() => sent);
  headers.set("X-Early", "1");
  sent = true;
  const attempts: [string, () => void, string][] = [
    ["set", () => headers.set("X-Late", "1"), "set header X-Late"],
    ["append", () => headers.append("X-Late", "1"), "append header X-Late"],
    ["delete", () => headers.delete("X-Early"), "delete header X-Early"],
  ];
  for (const [what, attempt, attempted] of attempts) {
    await t.step(what, () => {
      assert.throws(attempt, (error) => {
        assert(error instanceof HeadersSentError);
        assert.equal(error.attempted, attempted);
        assert.match(
          error.message,
          new RegExp(`^Cannot ${attempted}: the response body has already started`),
        );
        return true;
      });
    });
  }
  assert.deepEqual([...headers], [["x-early", "1"]]);
});
