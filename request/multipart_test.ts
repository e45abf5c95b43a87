import assert from "node:assert/strict";
import fc from "fast-check";
import { Fields } from "./fields.ts";
import { HttpError } from "./http_error.ts";
import { parseMultipart } from "./multipart.ts";
import {
  concat,
  endless,
  multipartBody,
  splitAt,
  streamOf,
  type TestPart,
} from "./_multipart_test_util.ts";

const encoder = new TextEncoder();
const B = "----pubkitBoundary7MA4YWxkTrZu0gW";

function isHttpError(status: number, includes?: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof HttpError, `expected HttpError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (includes !== undefined) assert.match(error.message, new RegExp(includes));
    return true;
  };
}

async function snapshot(fields: Fields): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [name, value] of fields) {
    out.push(
      typeof value === "string"
        ? [name, value]
        : [name, { name: value.name, type: value.type, bytes: [...await value.bytes()] }],
    );
  }
  return out;
}

const binary = new Uint8Array(300).map((_, i) => (i * 37) % 256);
const sampleParts: TestPart[] = [
  { name: "title", value: "Hello, wörld" },
  // Lookalikes of the delimiter that are not it: no CRLF before, or only a prefix of it.
  { name: "tricky", value: `--${B}\r\n--${B.slice(0, 10)}\r\r\n\r\n-` },
  { name: "upload", value: binary, filename: "a/../b.bin", contentType: "application/x-test" },
  { name: "empty", value: "" },
  { name: "title", value: "second" },
];
const sample = multipartBody(B, sampleParts);
const expected = [
  ["title", "Hello, wörld"],
  ["tricky", `--${B}\r\n--${B.slice(0, 10)}\r\r\n\r\n-`],
  ["upload", { name: "a/../b.bin", type: "application/x-test", bytes: [...binary] }],
  ["empty", ""],
  ["title", "second"],
];

Deno.test("parseMultipart() parses fields and files in order, filenames kept as data", async () => {
  const fields = await parseMultipart(streamOf([sample]).stream, B);
  assert.deepEqual(await snapshot(fields), expected);
  assert.deepEqual(fields.getAll("title"), ["Hello, wörld", "second"]);
});

Deno.test("parseMultipart() gives the same result for every chunking", async (t) => {
  await t.step("1-byte chunks", async () => {
    const chunks = [...sample].map((byte) => new Uint8Array([byte]));
    assert.deepEqual(await snapshot(await parseMultipart(streamOf(chunks).stream, B)), expected);
  });
  await t.step("every single split point", async () => {
    for (let cut = 1; cut < sample.length; cut++) {
      const { stream } = streamOf(splitAt(sample, [cut]));
      assert.deepEqual(await snapshot(await parseMultipart(stream, B)), expected, `cut ${cut}`);
    }
  });
  await t.step("random split points (fast-check)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(sample.length), { maxLength: 40 }), async (cuts) => {
        const { stream } = streamOf(splitAt(sample, cuts));
        assert.deepEqual(await snapshot(await parseMultipart(stream, B)), expected);
      }),
      { numRuns: 300 },
    );
  });
});

Deno.test("parseMultipart() round-trips arbitrary fields built by Request.formData()", async () => {
  const text = fc.string({ unit: "grapheme", maxLength: 30 });
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(text, text, fc.boolean()), { maxLength: 8 }),
      fc.array(fc.nat(2000), { maxLength: 10 }),
      async (entries, cuts) => {
        // The WHATWG format escapes `"`, CR and LF in names as %22, %0D, %0A and does not escape
        // "%": such literal sequences cannot round-trip in any parser.
        fc.pre(entries.every(([name, value]) => !/%(22|0A|0D)/.test(name + value)));
        const form = new FormData();
        for (const [name, value, isFile] of entries) {
          if (isFile) form.append(name, new File([value], `${value}.txt`, { type: "text/plain" }));
          else form.append(name, value);
        }
        const request = new Request("http://localhost/", { method: "POST", body: form });
        const boundary = /boundary=(.+)$/.exec(request.headers.get("content-type")!)![1];
        const bytes = new Uint8Array(await request.arrayBuffer());
        const fields = await parseMultipart(streamOf(splitAt(bytes, cuts)).stream, boundary);
        const got = await snapshot(fields);
        const want = await snapshot(new Fields(form as unknown as Iterable<[string, string]>));
        // FormData normalizes newlines in names and values to CRLF; compare against it.
        assert.deepEqual(got, want);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("parseMultipart() treats __proto__ and constructor as ordinary names", async () => {
  const body = multipartBody(B, [
    { name: "__proto__", value: "polluted" },
    { name: "constructor", value: "c" },
    { name: "toString", value: "t", filename: "x" },
  ]);
  const fields = await parseMultipart(streamOf([body]).stream, B);
  const record = fields.toObject();
  assert.equal(record["__proto__"], "polluted");
  assert.equal(record["constructor"], "c");
  assert.ok(record["toString"] instanceof File);
  assert.equal(Object.getPrototypeOf(record), null);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(typeof Object.prototype.toString, "function");
});

Deno.test("parseMultipart() accepts preamble, epilogue, padding, filename*, %22 and backslashes", async () => {
  const body = encoder.encode(
    `this is a preamble\r\n--${B}  \t\r\n` +
      `content-disposition: form-data; name="a%22b"; filename="plain.txt"; ` +
      `filename*=UTF-8''%E2%82%AC%20rates.txt\r\n\r\nx\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name=token\r\n\r\ny\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="esc%22aped"; filename=""\r\n\r\n\r\n` +
      `--${B}\r\nContent-Disposition: form-data; name="w"; filename="C:\\fake\\a.txt"\r\n\r\n\r\n` +
      `--${B}--\r\nthis is an epilogue, ignored`,
  );
  const fields = await parseMultipart(streamOf([body]).stream, B);
  const file = fields.get('a"b');
  assert.ok(file instanceof File);
  assert.equal(file.name, "€ rates.txt");
  assert.equal(await file.text(), "x");
  assert.equal(fields.get("token"), "y");
  const empty = fields.get('esc"aped');
  assert.ok(empty instanceof File);
  assert.equal(empty.name, "");
  assert.equal(empty.size, 0);
  assert.equal((fields.get("w") as File).name, "C:\\fake\\a.txt");
});

Deno.test("parseMultipart() unfolds folded part header lines (RFC 2046 via RFC 822)", async () => {
  // How mod_python's test client writes a text field: the disposition folded after `;`.
  const body =
    `--${B}\r\nContent-Type: text/plain\r\nContent-Disposition: form-data;\r\n name="test"` +
    `\r\n\r\nabcd\r\n--${B}\r\nContent-Disposition: form-data;\r\n\t name="f";\r\n  filename="a.txt"` +
    `\r\nContent-Type:\r\n text/x-folded\r\n\r\nfile\r\n--${B}--\r\n`;
  const fields = await parseMultipart(streamOf([encoder.encode(body)]).stream, B);
  assert.deepEqual(await snapshot(fields), [
    ["test", "abcd"],
    ["f", { name: "a.txt", type: "text/x-folded", bytes: [...encoder.encode("file")] }],
  ]);
});

Deno.test("parseMultipart() counts folded header bytes against maxPartHeaderBytes", async () => {
  const folds = "X-Long: a" + "\r\n b".repeat(100); // 409 bytes, 109 once unfolded
  const body = (extra: string) =>
    encoder.encode(
      `--${B}\r\n${extra}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--${B}--\r\n`,
    );
  const limits = { maxPartHeaderBytes: 300 };
  await assert.rejects(
    parseMultipart(streamOf([body(folds)]).stream, B, { limits }),
    isHttpError(413, "maxPartHeaderBytes"),
  );
  const fields = await parseMultipart(streamOf([body("X-Short: a\r\n b")]).stream, B, { limits });
  assert.equal(fields.get("a"), "x");
});

Deno.test("parseMultipart() answers 400 for a malformed body", async (t) => {
  const cd = 'Content-Disposition: form-data; name="a"';
  const cases: [string, string, string, string][] = [
    ["an empty boundary", "", `--\r\n${cd}\r\n\r\nx\r\n----\r\n`, "boundary is invalid"],
    ["a boundary over 70 characters", "b".repeat(71), "", "boundary is invalid"],
    ["a boundary with a bad character", "a\rb", "", "boundary is invalid"],
    ["a boundary ending in a space", "ab ", "", "boundary is invalid"],
    ["an empty body", B, "", "no boundary delimiter"],
    ["a body without the boundary", B, "just some text", "no boundary delimiter"],
    ["no final boundary", B, `--${B}\r\n${cd}\r\n\r\nvalue`, "missing the final boundary"],
    ["a part truncated after a delimiter", B, `--${B}\r\n${cd}\r\n\r\nx\r\n--${B}`, "final"],
    ["truncated part headers", B, `--${B}\r\n${cd}\r\n`, "inside a part's headers"],
    ["junk after a delimiter", B, `--${B}junk\r\n${cd}\r\n\r\nx\r\n--${B}--`, "unexpected"],
    ["a single dash after a delimiter", B, `--${B}-\r\n`, "unexpected"],
    [
      "no Content-Disposition",
      B,
      `--${B}\r\nContent-Type: text/plain\r\n\r\nx\r\n--${B}--`,
      "no Content-Disposition",
    ],
    ["no headers at all", B, `--${B}\r\n\r\nx\r\n--${B}--`, "no Content-Disposition"],
    [
      "no name",
      B,
      `--${B}\r\nContent-Disposition: form-data; filename="f"\r\n\r\nx\r\n--${B}--`,
      "no name",
    ],
    [
      "not form-data",
      B,
      `--${B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--${B}--`,
      "not form-data",
    ],
    ["a line without a colon", B, `--${B}\r\n${cd}\r\nbogus\r\n\r\nx\r\n--${B}--`, "Name: value"],
    [
      "a continuation line first",
      B,
      `--${B}\r\n continued\r\n${cd}\r\n\r\nx\r\n--${B}--`,
      "no header before it",
    ],
    ["a bare LF in headers", B, `--${B}\r\n${cd}\nX: y\r\n\r\nx\r\n--${B}--`, "bare CR or LF"],
    [
      "a duplicate Content-Disposition",
      B,
      `--${B}\r\n${cd}\r\n${cd}\r\n\r\nx\r\n--${B}--`,
      "twice",
    ],
    [
      "an unterminated quote",
      B,
      `--${B}\r\nContent-Disposition: form-data; name="a\r\n\r\nx\r\n--${B}--`,
      "unterminated",
    ],
    ["a duplicate parameter", B, `--${B}\r\n${cd}; name="b"\r\n\r\nx\r\n--${B}--`, "name twice"],
    [
      "a control character in a header",
      B,
      `--${B}\r\n${cd}\r\nX: a\x00b\r\n\r\nx\r\n--${B}--`,
      "control",
    ],
  ];
  for (const [label, boundary, body, message] of cases) {
    await t.step(label, async () => {
      const { stream } = streamOf([encoder.encode(body)]);
      await assert.rejects(parseMultipart(stream, boundary), isHttpError(400, message));
    });
  }
  await t.step("a field value that is not UTF-8", async () => {
    const body = concat([
      encoder.encode(`--${B}\r\n${cd}\r\n\r\n`),
      new Uint8Array([0xff, 0xfe]),
      encoder.encode(`\r\n--${B}--\r\n`),
    ]);
    await assert.rejects(parseMultipart(streamOf([body]).stream, B), isHttpError(400, "UTF-8"));
  });
});

Deno.test("parseMultipart() stops reading at a limit and names it in a 413", async (t) => {
  const head = (name: string, filename?: string) =>
    encoder.encode(
      `--${B}\r\nContent-Disposition: form-data; name="${name}"` +
        (filename === undefined ? "" : `; filename="${filename}"`) + "\r\n\r\n",
    );
  const chunk = 1024;
  async function expectLimit(
    chunks: Iterable<Uint8Array>,
    limits: Record<string, number>,
    key: string,
    maxPulled: number,
  ) {
    const source = streamOf(chunks);
    await assert.rejects(parseMultipart(source.stream, B, { limits }), isHttpError(413, key));
    assert.ok(source.cancelled(), "the stream is cancelled");
    assert.ok(source.pulled() <= maxPulled, `read ${source.pulled()} bytes, at most ${maxPulled}`);
  }
  await t.step("maxFileBytes", async () => {
    await expectLimit(
      (function* () {
        yield head("f", "big.bin");
        yield* endless(chunk);
      })(),
      { maxFileBytes: 10_000 },
      "maxFileBytes",
      200 + 10_000 + chunk,
    );
  });
  await t.step("maxFieldValueBytes", async () => {
    await expectLimit(
      (function* () {
        yield head("v");
        yield* endless(chunk);
      })(),
      { maxFieldValueBytes: 5_000 },
      "maxFieldValueBytes",
      200 + 5_000 + chunk,
    );
  });
  await t.step("maxMultipartBytes, counting a preamble", async () => {
    await expectLimit(endless(chunk), { maxMultipartBytes: 50_000 }, "maxMultipartBytes", 51_000);
  });
  await t.step("maxPartHeaderBytes", async () => {
    await expectLimit(
      (function* () {
        yield encoder.encode(`--${B}\r\nX-Long: `);
        yield* endless(chunk);
      })(),
      { maxPartHeaderBytes: 4096 },
      "maxPartHeaderBytes",
      4096 + 200 + chunk,
    );
  });
  await t.step("maxFields", async () => {
    await expectLimit(
      (function* () {
        for (let i = 0;; i++) yield concat([head(`f${i}`), encoder.encode("v\r\n")]);
      })(),
      { maxFields: 10 },
      "maxFields",
      11 * 200,
    );
  });
  await t.step("maxFiles", async () => {
    await expectLimit(
      (function* () {
        for (let i = 0;; i++) yield concat([head(`f${i}`, "x"), encoder.encode("v\r\n")]);
      })(),
      { maxFiles: 3 },
      "maxFiles",
      4 * 200,
    );
  });
  await t.step("maxFieldNameBytes", async () => {
    const source = streamOf([multipartBody(B, [{ name: "n".repeat(101), value: "v" }])]);
    await assert.rejects(
      parseMultipart(source.stream, B, { limits: { maxFieldNameBytes: 100 } }),
      isHttpError(413, "maxFieldNameBytes"),
    );
  });
  await t.step("values exactly at the limits are accepted", async () => {
    const body = multipartBody(B, [
      { name: "n".repeat(100), value: "v".repeat(500) },
      { name: "f", value: new Uint8Array(1000), filename: "f" },
    ]);
    const fields = await parseMultipart(streamOf([body]).stream, B, {
      limits: {
        maxFieldNameBytes: 100,
        maxFieldValueBytes: 500,
        maxFileBytes: 1000,
        maxFields: 2,
        maxFiles: 1,
        maxMultipartBytes: body.length,
      },
    });
    assert.equal(fields.size, 2);
    assert.equal((fields.get("f") as File).size, 1000);
  });
});

Deno.test("parseMultipart() rejects with the signal's reason when aborted", async (t) => {
  await t.step("while waiting for the body", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(`--${B}\r\n`));
      },
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    const reason = new Error("body deadline");
    const parsing = parseMultipart(stream, B, { signal: controller.signal });
    queueMicrotask(() => controller.abort(reason));
    await assert.rejects(parsing, (error) => error === reason);
    assert.ok(cancelled);
  });
  await t.step("already aborted", async () => {
    const reason = new Error("already");
    const { stream, pulled } = streamOf([sample]);
    await assert.rejects(
      parseMultipart(stream, B, { signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    assert.equal(pulled(), 0);
  });
});

Deno.test("parseMultipart() validates its options", async () => {
  await assert.rejects(
    parseMultipart(streamOf([sample]).stream, B, { limit: {} } as never),
    RangeError,
  );
  await assert.rejects(
    parseMultipart(streamOf([sample]).stream, B, { limits: { maxFiles: -1 } }),
    RangeError,
  );
});

Deno.test("parseMultipart() ends arbitrary bytes in a result or a 4xx HttpError", async () => {
  const pieces = fc.constantFrom(
    `--${B}`,
    `\r\n--${B}`,
    `--${B}--`,
    "\r\n",
    "\r",
    "\n",
    'Content-Disposition: form-data; name="a"',
    '; filename="f"',
    "Content-Type: text/plain",
    "\r\n\r\n",
    "-",
    "x",
    " ",
    "\xff",
    '"',
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(pieces, { maxLength: 30 }),
      fc.array(fc.nat(500), { maxLength: 5 }),
      async (parts, cuts) => {
        const bytes = encoder.encode(parts.join(""));
        try {
          await parseMultipart(streamOf(splitAt(bytes, cuts)).stream, B, {
            limits: { maxFields: 3, maxPartHeaderBytes: 64 },
          });
        } catch (error) {
          assert.ok(error instanceof HttpError, String(error));
          assert.ok(error.status >= 400 && error.status < 500);
        }
      },
    ),
    { numRuns: 1000 },
  );
});

Deno.test("parseMultipart() takes linear time on adversarial near-delimiters", async () => {
  // Every position starts a near-match of the delimiter that fails at its last byte.
  const near = encoder.encode(`\r\n--${B.slice(0, -1)}`);
  const time = async (copies: number) => {
    const data = new Uint8Array(near.length * copies);
    for (let i = 0; i < copies; i++) data.set(near, i * near.length);
    const body = concat([
      encoder.encode(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n`),
      data,
      encoder.encode(`\r\n--${B}--\r\n`),
    ]);
    const chunks = splitAt(body, Array.from({ length: body.length / 4096 }, (_, i) => i * 4096));
    const start = performance.now();
    const fields = await parseMultipart(streamOf(chunks).stream, B);
    assert.equal((fields.get("f") as File).size, data.length);
    return performance.now() - start;
  };
  await time(1000); // warm up
  const small = await time(16_384); // ~0.6 MiB
  const large = await time(16_384 * 8); // ~5 MiB
  // Linear would be ~8×; quadratic would be ~64×. Generous for a loaded 2-core machine.
  assert.ok(large < small * 24 + 200, `small ${small.toFixed(0)} ms, large ${large.toFixed(0)} ms`);
  assert.ok(large < 5000, `large took ${large.toFixed(0)} ms`);
});
