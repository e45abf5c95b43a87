import assert from "node:assert/strict";
import fc from "fast-check";
import { HttpError } from "./http_error.ts";
import { parseQuery, parseUrlEncoded } from "./urlencoded.ts";

function isHttpError(status: number, includes?: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof HttpError, `expected HttpError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (includes !== undefined) assert.match(error.message, new RegExp(includes));
    return true;
  };
}

Deno.test("parseUrlEncoded() decodes + as space, %XX as UTF-8 bytes, and keeps order", () => {
  const fields = parseUrlEncoded("a=1+2&b=%2B%26%3D&a=%C3%A9%F0%9F%98%80&&flag&=empty-name&c=");
  assert.deepEqual([...fields], [
    ["a", "1 2"],
    ["b", "+&="],
    ["a", "é😀"],
    ["flag", ""],
    ["", "empty-name"],
    ["c", ""],
  ]);
  assert.deepEqual(
    [...parseUrlEncoded(new TextEncoder().encode("x=%EF%BB%BFbom"))],
    [["x", "\uFEFFbom"]],
  );
});

Deno.test("parseQuery() accepts a search string with or without its ?", () => {
  assert.deepEqual([...parseQuery("?q=a+b")], [["q", "a b"]]);
  assert.deepEqual([...parseQuery("q=a+b")], [["q", "a b"]]);
  assert.equal(parseQuery("").size, 0);
  assert.equal(parseQuery("?").size, 0);
});

Deno.test("parseUrlEncoded() answers 400 naming the problem, never a URIError", async (t) => {
  const cases: [string, string][] = [
    ["a=%zz", 'bad percent-encoding "%zz"'],
    ["a=%4", 'bad percent-encoding "%4"'],
    ["a=%", 'bad percent-encoding "%"'],
    ["%G1=a", "bad percent-encoding"],
    ["a=%FF", "value in the body is not valid UTF-8"],
    ["%C3=a", "name in the body is not valid UTF-8"],
    ["a=%ED%A0%80", "not valid UTF-8"], // an encoded lone surrogate
  ];
  for (const [input, message] of cases) {
    await t.step(input, () => {
      assert.throws(() => parseUrlEncoded(input), isHttpError(400, message));
    });
  }
  await t.step("raw bytes that are not UTF-8", () => {
    assert.throws(() => parseUrlEncoded(new Uint8Array([0x61, 0x3d, 0xff])), isHttpError(400));
  });
  await t.step("in a query string", () => {
    assert.throws(() => parseQuery("?a=%zz"), isHttpError(400, "query string"));
  });
});

Deno.test("parseUrlEncoded() answers 413 naming the limit", async (t) => {
  await t.step("maxFields", () => {
    assert.throws(() => parseUrlEncoded("a&b&c", { maxFields: 2 }), isHttpError(413, "maxFields"));
    assert.equal(parseUrlEncoded("a&b", { maxFields: 2 }).size, 2);
    assert.throws(
      () => parseUrlEncoded("a&".repeat(1001)),
      isHttpError(413, "the number of fields exceeds the limit of 1000 \\(maxFields\\)"),
    );
  });
  await t.step("maxFieldNameBytes (decoded UTF-8 bytes)", () => {
    assert.throws(
      () => parseUrlEncoded("é".repeat(3) + "=1", { maxFieldNameBytes: 5 }),
      isHttpError(413, "maxFieldNameBytes"),
    );
    assert.equal(
      parseUrlEncoded("%41".repeat(5) + "=1", { maxFieldNameBytes: 5 }).get("AAAAA"),
      "1",
    );
    assert.throws(() => parseUrlEncoded(`${"n".repeat(1025)}=1`), isHttpError(413, "1024"));
  });
  await t.step("maxFieldValueBytes", () => {
    assert.throws(
      () => parseUrlEncoded("a=123456", { maxFieldValueBytes: 5 }),
      isHttpError(413, "maxFieldValueBytes"),
    );
  });
  await t.step("maxUrlEncodedBytes", () => {
    assert.throws(
      () => parseUrlEncoded("a=123456", { maxUrlEncodedBytes: 5 }),
      isHttpError(413, "maxUrlEncodedBytes"),
    );
    assert.equal(parseUrlEncoded("a=1", { maxUrlEncodedBytes: 3 }).get("a"), "1");
  });
  await t.step("query strings are held to the field limits", () => {
    assert.throws(() => parseQuery("?a&b&c", { maxFields: 2 }), isHttpError(413, "maxFields"));
  });
});

Deno.test("parseUrlEncoded() treats __proto__ and constructor as ordinary names", () => {
  const fields = parseUrlEncoded("__proto__=x&constructor=y&__proto__[polluted]=1&toString=z");
  const record = fields.toObject();
  assert.equal(record["constructor"], "y");
  assert.equal(record["toString"], "z");
  assert.equal(record["__proto__"], "x");
  assert.equal(record["__proto__[polluted]"], "1");
  assert.equal(Object.getPrototypeOf(record), null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
});

Deno.test("parseUrlEncoded() validates its arguments", () => {
  assert.throws(() => parseUrlEncoded("a", { maxField: 1 } as never), RangeError);
  assert.throws(() => parseUrlEncoded(42 as never), TypeError);
  assert.throws(() => parseQuery(null as never), TypeError);
});

const anyText = fc.string({ unit: "binary", maxLength: 40 });

Deno.test("parseUrlEncoded() round-trips URLSearchParams encoding (fast-check)", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(anyText, anyText), { maxLength: 20 }), (pairs) => {
      const encoded = new URLSearchParams(pairs).toString();
      // URLSearchParams turns lone surrogates into U+FFFD: that is what goes on the wire.
      const wanted = pairs.map(([n, v]) => [n.toWellFormed(), v.toWellFormed()]);
      assert.deepEqual([...parseUrlEncoded(encoded)], wanted);
      assert.deepEqual([...parseQuery(`?${encoded}`)], wanted);
    }),
    { numRuns: 1000 },
  );
});

const hostile = fc.array(
  fc.oneof(
    fc.constantFrom("%", "%2", "%zz", "%C3", "%A9", "%FF", "%ED%A0%80", "+", "&", "=", "a", "é"),
    fc.constantFrom("__proto__", "constructor", "%00", "%0D%0A", "\u{1F600}", "\uD800"),
    anyText,
  ),
  { maxLength: 30 },
).map((parts) => parts.join(""));

Deno.test("parseUrlEncoded() ends any input in a result or a 4xx (fast-check)", () => {
  fc.assert(
    fc.property(fc.oneof(hostile, fc.uint8Array({ maxLength: 100 })), (input) => {
      try {
        const fields = typeof input === "string"
          ? parseQuery(input, { maxFields: 10 })
          : parseUrlEncoded(input, { maxFields: 10 });
        assert.ok(fields.size <= 10);
      } catch (error) {
        assert.ok(error instanceof HttpError, String(error));
        assert.ok(error.status >= 400 && error.status < 500);
      }
      assert.equal(Object.getPrototypeOf({}), Object.prototype);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("parseUrlEncoded() agrees with URLSearchParams whenever it succeeds (fast-check)", () => {
  fc.assert(
    fc.property(hostile, (input) => {
      let fields;
      try {
        fields = parseUrlEncoded(input);
      } catch (error) {
        assert.ok(error instanceof HttpError && error.status === 400, String(error));
        return;
      }
      assert.deepEqual([...fields], [...new URLSearchParams(input.toWellFormed())]);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("parseUrlEncoded() takes linear time on adversarial input", () => {
  const time = (input: string) => {
    const start = performance.now();
    try {
      parseUrlEncoded(input, { maxFields: Infinity, maxUrlEncodedBytes: Infinity });
    } catch (error) {
      assert.ok(error instanceof HttpError);
    }
    return performance.now() - start;
  };
  // Many fields each without "=", then one "=" at the very end: a naive search for "=" from
  // each field's start would rescan the rest of the input every time.
  const adversarial = (n: number) => "a&".repeat(n) + "=";
  time(adversarial(1000)); // warm up
  const small = time(adversarial(20_000));
  const large = time(adversarial(160_000));
  assert.ok(large < small * 24 + 200, `small ${small.toFixed(0)} ms, large ${large.toFixed(0)} ms`);
  const percent = time("%41".repeat(300_000));
  assert.ok(percent < 2000, `percent-heavy input took ${percent.toFixed(0)} ms`);
});
