import assert from "node:assert/strict";
import type { Fields } from "./fields.ts";
import { parseForm } from "./form.ts";
import type { FormLimits } from "./form_limits.ts";
import { HttpError } from "./http_error.ts";
import { concat, multipartBody, streamOf, type TestPart } from "./_multipart_test_util.ts";

const encoder = new TextEncoder();
const B = "pubkitFormTestBoundary";
const MULTIPART = `multipart/form-data; boundary=${B}`;
const URLENCODED = "application/x-www-form-urlencoded";

interface Answer {
  status: number;
  text: string;
  /** Body bytes the server-side parser pulled from the request. */
  bytesRead: number;
}

function describe(fields: Fields): unknown[] {
  return [...fields].map(([name, value]) =>
    typeof value === "string" ? [name, value] : [name, { file: value.name, size: value.size }]
  );
}

/** Wraps a body so that only the bytes the parser pulls are read (and counted). */
function counting(body: ReadableStream<Uint8Array>, count: (n: number) => void) {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else {
        count(value.length);
        controller.enqueue(value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** Runs `fn` against a real server on 127.0.0.1 whose handler answers with `parseForm()`. */
async function withServer(fn: (url: string) => Promise<void>): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const limits = JSON.parse(request.headers.get("x-limits") ?? "{}");
    let read = 0;
    const body = request.body === null ? null : counting(request.body, (n) => read += n);
    const wrapped = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body,
    });
    const headers = () => ({
      "x-bytes-read": String(read),
      "x-content-length": request.headers.get("content-length") ?? "none",
    });
    try {
      const fields = await parseForm(wrapped, { limits });
      return Response.json(describe(fields), { headers: headers() });
    } catch (error) {
      if (error instanceof HttpError) {
        return new Response(error.message, { status: error.status, headers: headers() });
      }
      return new Response(String(error), { status: 500, headers: headers() });
    }
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

interface PostOptions {
  contentType?: string;
  /** Send as a stream (chunked transfer encoding, no Content-Length). */
  chunked?: boolean;
  limits?: Partial<FormLimits>;
  path?: string;
}

async function post(
  url: string,
  body: Uint8Array<ArrayBuffer>,
  options: PostOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "x-limits": JSON.stringify(options.limits ?? {}) };
  if (options.contentType !== undefined) headers["content-type"] = options.contentType;
  let sent: BodyInit = body;
  if (options.chunked) {
    let offset = 0;
    sent = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= body.length) return controller.close();
        controller.enqueue(body.slice(offset, offset += 16 * 1024));
      },
    });
  }
  const response = await fetch(url + (options.path ?? "/"), {
    method: "POST",
    headers,
    body: sent,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  // The wire really carried (or lacked) a Content-Length, as the test meant.
  const length = response.headers.get("x-content-length");
  assert.equal(length === "none", options.chunked === true, `Content-Length: ${length}`);
  return {
    status: response.status,
    text,
    bytesRead: Number(response.headers.get("x-bytes-read")),
  };
}

const urlencoded = (n: number, name = "f", value = "v") =>
  encoder.encode(Array.from({ length: n }, (_, i) => `${name}${i}=${value}`).join("&"));

Deno.test("parseForm() over HTTP parses query, urlencoded and multipart bodies", async () => {
  await withServer(async (url) => {
    const a = await post(url, encoder.encode("name=Ada+L&tag=x&tag=%C3%A9"), {
      contentType: "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
      path: "/?id=7",
    });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(JSON.parse(a.text), [["id", "7"], ["name", "Ada L"], ["tag", "x"], [
      "tag",
      "é",
    ]]);

    for (const chunked of [false, true]) {
      const body = multipartBody(B, [
        { name: "title", value: "hi" },
        { name: "upload", value: new Uint8Array(100_000), filename: "../x.bin" },
      ]);
      const m = await post(url, body, { contentType: MULTIPART, chunked });
      assert.equal(m.status, 200, m.text);
      assert.deepEqual(JSON.parse(m.text), [["title", "hi"], [
        "upload",
        { file: "../x.bin", size: 100_000 },
      ]]);
    }

    const form = new FormData();
    form.append("who", "browser-like");
    form.append("doc", new File(["content"], "notes.txt", { type: "text/plain" }));
    const response = await fetch(url, { method: "POST", body: form });
    assert.deepEqual(await response.json(), [["who", "browser-like"], [
      "doc",
      { file: "notes.txt", size: 7 },
    ]]);
  });
});

Deno.test("parseForm() over HTTP answers 413 for every limit, with and without Content-Length", async (t) => {
  const file = (name: string, size: number): TestPart => ({
    name,
    value: new Uint8Array(size).fill(0x61),
    filename: `${name}.bin`,
  });
  const cases: {
    limit: keyof FormLimits;
    contentType: string;
    body: Uint8Array<ArrayBuffer>;
    limits: Partial<FormLimits>;
  }[] = [
    {
      limit: "maxUrlEncodedBytes",
      contentType: URLENCODED,
      body: encoder.encode(`a=${"x".repeat(1024 * 1024)}`), // default: 1 MiB
      limits: {},
    },
    {
      limit: "maxFields",
      contentType: URLENCODED,
      body: urlencoded(1001), // default: 1,000
      limits: {},
    },
    {
      limit: "maxFieldNameBytes",
      contentType: URLENCODED,
      body: encoder.encode(`${"n".repeat(1025)}=1`), // default: 1 KiB
      limits: {},
    },
    {
      limit: "maxFieldValueBytes",
      contentType: URLENCODED,
      body: encoder.encode(`a=${"x".repeat(2001)}`),
      limits: { maxFieldValueBytes: 2000 },
    },
    {
      limit: "maxFileBytes",
      contentType: MULTIPART,
      body: multipartBody(B, [file("big", 10 * 1024 * 1024 + 1)]), // default: 10 MiB
      limits: {},
    },
    {
      limit: "maxFiles",
      contentType: MULTIPART,
      body: multipartBody(B, Array.from({ length: 21 }, (_, i) => file(`f${i}`, 10))), // 20
      limits: {},
    },
    {
      limit: "maxFields",
      contentType: MULTIPART,
      body: multipartBody(
        B,
        Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}`, value: "" })),
      ),
      limits: {},
    },
    {
      limit: "maxFieldNameBytes",
      contentType: MULTIPART,
      body: multipartBody(B, [{ name: "n".repeat(1025), value: "v" }]),
      limits: {},
    },
    {
      limit: "maxFieldValueBytes",
      contentType: MULTIPART,
      body: multipartBody(B, [{ name: "v", value: "x".repeat(1024 * 1024 + 1) }]), // 1 MiB
      limits: {},
    },
    {
      limit: "maxPartHeaderBytes",
      contentType: MULTIPART,
      body: encoder.encode(
        `--${B}\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ${"p".repeat(16 * 1024)}` +
          `\r\n\r\nv\r\n--${B}--\r\n`,
      ), // default: 16 KiB
      limits: {},
    },
    {
      limit: "maxMultipartBytes",
      contentType: MULTIPART,
      body: multipartBody(B, [file("a", 40_000), file("b", 40_000)]),
      limits: { maxMultipartBytes: 64 * 1024 },
    },
  ];
  await withServer(async (url) => {
    for (const { limit, contentType, body, limits } of cases) {
      for (const chunked of [false, true]) {
        const kind = contentType === MULTIPART ? "multipart" : "urlencoded";
        await t.step(`${limit} (${kind}, ${chunked ? "chunked" : "Content-Length"})`, async () => {
          const answer = await post(url, body, { contentType, chunked, limits });
          assert.equal(answer.status, 413, answer.text);
          assert.match(answer.text, new RegExp(`\\(${limit}\\)`));
        });
      }
    }
  });
});

Deno.test("parseForm() over HTTP stops reading a chunked body soon after its limit", async () => {
  await withServer(async (url) => {
    const limit = 256 * 1024;
    for (
      const [contentType, body] of [
        [URLENCODED, encoder.encode(`a=${"x".repeat(8 * 1024 * 1024)}`)],
        [
          MULTIPART,
          multipartBody(B, [{ name: "f", value: new Uint8Array(8 * 1024 * 1024), filename: "f" }]),
        ],
      ] as const
    ) {
      const answer = await post(url, body, {
        contentType,
        chunked: true,
        limits: { maxUrlEncodedBytes: limit, maxFileBytes: limit },
      });
      assert.equal(answer.status, 413, answer.text);
      // The limit plus at most one read buffer (Deno hands over up to 64 KiB at a time).
      assert.ok(answer.bytesRead <= limit + 128 * 1024, `read ${answer.bytesRead} bytes`);
    }
  });
});

Deno.test("parseForm() over HTTP refuses a declared Content-Length over the limit unread", async () => {
  await withServer(async (url) => {
    for (
      const [contentType, limits] of [
        [URLENCODED, { maxUrlEncodedBytes: 1000 }],
        [MULTIPART, { maxMultipartBytes: 1000 }],
      ] as const
    ) {
      const answer = await post(url, new Uint8Array(200_000).fill(0x61), { contentType, limits });
      assert.equal(answer.status, 413, answer.text);
      assert.match(answer.text, /declared body of 200000 bytes/);
      assert.equal(answer.bytesRead, 0);
    }
  });
});

Deno.test("parseForm() over HTTP answers 400 for malformed bodies", async (t) => {
  const cd = 'Content-Disposition: form-data; name="a"';
  const cases: [string, string, string, string][] = [
    ["no boundary parameter", "multipart/form-data", `--${B}--\r\n`, "no boundary parameter"],
    ["an invalid boundary", 'multipart/form-data; boundary="a\\"b"', "", "boundary is invalid"],
    ["an empty multipart body", MULTIPART, "", "no boundary delimiter"],
    ["a missing final boundary", MULTIPART, `--${B}\r\n${cd}\r\n\r\nvalue`, "final boundary"],
    ["a truncated part header", MULTIPART, `--${B}\r\n${cd}`, "final boundary"],
    [
      "bad part headers",
      MULTIPART,
      `--${B}\r\n${cd}\r\nnot a header\r\n\r\nx\r\n--${B}--`,
      "bad part headers",
    ],
    [
      "a part without a name",
      MULTIPART,
      `--${B}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--${B}--`,
      "no name",
    ],
    ["bad percent-encoding", URLENCODED, "a=%zz", "percent-encoding"],
    ["bad percent-encoding in the query", "text/plain", "", "query string"],
  ];
  await withServer(async (url) => {
    for (const [label, contentType, body, message] of cases) {
      for (const chunked of [false, true]) {
        await t.step(`${label} (${chunked ? "chunked" : "Content-Length"})`, async () => {
          const path = label.includes("query") ? "/?x=%E0%A4" : "/";
          const answer = await post(url, encoder.encode(body), { contentType, chunked, path });
          assert.equal(answer.status, 400, answer.text);
          assert.match(answer.text, new RegExp(message));
        });
      }
    }
  });
});

Deno.test("parseForm() over HTTP keeps __proto__ and constructor harmless", async () => {
  await withServer(async (url) => {
    const answer = await post(url, encoder.encode("__proto__[admin]=1&constructor=2&__proto__=3"), {
      contentType: URLENCODED,
      path: "/?__proto__=q&toString=t",
    });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(JSON.parse(answer.text), [
      ["__proto__", "q"],
      ["toString", "t"],
      ["__proto__[admin]", "1"],
      ["constructor", "2"],
      ["__proto__", "3"],
    ]);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
  });
});

Deno.test("parseForm() leaves other bodies unread and counts fields across query and body", async () => {
  await withServer(async (url) => {
    for (const contentType of ["text/plain", "application/json", undefined]) {
      const answer = await post(url, encoder.encode('{"a":1}'), { contentType, path: "/?q=1" });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(JSON.parse(answer.text), [["q", "1"]]);
      assert.equal(answer.bytesRead, 0);
    }
    const answer = await post(url, encoder.encode("b=1&c=2"), {
      contentType: URLENCODED,
      path: "/?a=1",
      limits: { maxFields: 2 },
    });
    assert.equal(answer.status, 413, answer.text);
    assert.match(answer.text, /maxFields/);
  });
});

Deno.test("parseForm() rejects with the signal's reason and cancels the body", async (t) => {
  await t.step("when aborted while the body stalls", async () => {
    let cancelled: unknown;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("a=1"));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const request = new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": URLENCODED },
      body,
    });
    const controller = new AbortController();
    const reason = new DOMException("body deadline passed", "TimeoutError");
    const parsing = parseForm(request, { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 10);
    await assert.rejects(parsing, (error) => error === reason);
    assert.equal(cancelled, reason);
  });
  await t.step("when already aborted", async () => {
    const source = streamOf([multipartBody(B, [{ name: "a", value: "b" }])]);
    const request = new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": MULTIPART },
      body: source.stream,
    });
    const reason = new Error("gone");
    await assert.rejects(
      parseForm(request, { signal: AbortSignal.abort(reason) }),
      (error) => error === reason,
    );
    assert.equal(source.pulled(), 0);
    await request.body!.cancel();
  });
});

Deno.test("parseForm() reads the body once and validates its options", async () => {
  const request = new Request("http://localhost/", {
    method: "POST",
    headers: { "content-type": URLENCODED },
    body: "a=1",
  });
  assert.equal((await parseForm(request)).get("a"), "1");
  await assert.rejects(parseForm(request), TypeError);
  await assert.rejects(
    parseForm(new Request("http://localhost/"), { limit: {} } as never),
    RangeError,
  );
  await assert.rejects(
    parseForm(new Request("http://localhost/"), { limits: { maxFields: -1 } }),
    RangeError,
  );
});

Deno.test("parseForm() accepts a body exactly at its limit", async () => {
  const body = concat([encoder.encode("a="), new Uint8Array(98).fill(0x62)]);
  const request = new Request("http://localhost/", {
    method: "POST",
    headers: { "content-type": URLENCODED },
    body,
  });
  const fields = await parseForm(request, { limits: { maxUrlEncodedBytes: 100 } });
  assert.equal((fields.get("a") as string).length, 98);
});

Deno.test("parseForm() answers 400, not 500, when the body fails mid-read", async () => {
  for (const contentType of [URLENCODED, MULTIPART]) {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new Error("connection reset"));
        sent = true;
        controller.enqueue(encoder.encode(`--${B}\r\n`));
      },
    });
    const request = new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": contentType },
      body,
    });
    await assert.rejects(parseForm(request), (error) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 400);
      assert.match(error.message, /could not be read/);
      assert.equal((error.cause as Error).message, "connection reset");
      return true;
    });
  }
});

Deno.test("parseForm() answers 415 naming a charset other than UTF-8 or US-ASCII", async () => {
  await withServer(async (url) => {
    const latin1 = new Uint8Array([0x61, 0x3d, 0xe9]); // a=é in ISO-8859-1
    for (const charset of ["iso-8859-1", "windows-1252", '"shift_jis"', "utf-16"]) {
      for (const type of [URLENCODED, MULTIPART]) {
        const answer = await post(url, latin1, { contentType: `${type}; charset=${charset}` });
        assert.equal(answer.status, 415, `${type} ${charset}: ${answer.text}`);
        assert.ok(answer.text.includes(charset.replaceAll('"', "")), answer.text);
      }
    }
    for (const charset of ["UTF-8", "utf-8", "us-ascii"]) {
      const answer = await post(url, encoder.encode("a=1"), {
        contentType: `${URLENCODED}; charset=${charset}`,
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(JSON.parse(answer.text), [["a", "1"]]);
    }
  });
});
