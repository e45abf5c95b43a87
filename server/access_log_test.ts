import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { createApp } from "./app.ts";
import { AccessRecord } from "./access_log.ts";
import { bufferedSink, type LogWriter } from "./buffered_sink.ts";
import { serveForTest } from "./_test_raw_http.ts";

const APP = new URL("./testdata/access_log_app.ts", import.meta.url).pathname;
const PUBLISHED = new URL("./testdata/publish/", import.meta.url);

/** A writer that keeps what it is given. */
function memoryWriter(): LogWriter & { text(): string; writes: number } {
  const chunks: Uint8Array[] = [];
  const writer = {
    writes: 0,
    write(bytes: Uint8Array) {
      writer.writes++;
      chunks.push(bytes.slice());
      return Promise.resolve(bytes.length);
    },
    writeSync(bytes: Uint8Array) {
      chunks.push(bytes.slice());
      return bytes.length;
    },
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
  return writer;
}

const unescape = (s: string) =>
  s.replace(
    /\\x([0-9a-f]{2})|\\u\{([0-9a-f]+)\}/g,
    (_, x, u) => String.fromCodePoint(parseInt(x ?? u, 16)),
  );

/** Parses a text access line back into its fields, undoing the escapes. */
function parseLine(line: string) {
  const match = /^(\S+) (\S+) "(\S+) ((?:[^"\\]|\\.)*)" (\d{3}) (\d+)ms (\S+) (\S+)$/.exec(
    line,
  );
  assert.ok(match, `unparseable: ${line}`);
  return {
    time: match[1],
    addr: unescape(match[2]),
    method: unescape(match[3]),
    target: unescape(match[4]),
    status: Number(match[5]),
    id: match[7],
    route: unescape(match[8]),
  };
}

Deno.test("the text access log escapes quotes, backslashes, controls and bidi overrides in the target", async () => {
  const writer = memoryWriter();
  const sink = bufferedSink({ writer });
  const app = createApp({ handler: () => "ok", log: sink });
  await using served = await serveForTest(app);
  // Each reaches the handler raw: Deno does not re-serialize the request target.
  const targets = ['/a"b', "/a\\b", "/a\u0085b", "/a\u202eb", "/a\u2066b\u2069", '/x"\\"y'];
  for (const target of targets) {
    const bytes = new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    const { status } = await served.raw(bytes);
    assert.equal(status, 200, JSON.stringify(target));
  }
  await sink.flush();
  const logged = writer.text().split("\n").filter((line) => line.includes('"GET '));
  assert.equal(logged.length, targets.length);
  for (const [i, line] of logged.entries()) {
    // deno-lint-ignore no-control-regex -- no raw control may reach the log
    assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    const { time, id, ...fields } = parseLine(line);
    assert.deepEqual(fields, {
      addr: "127.0.0.1",
      method: "GET",
      target: targets[i],
      status: 200,
      route: "-",
    });
    assert.ok(!Number.isNaN(Date.parse(time)), time);
    assert.match(id, /^[\w-]+$/);
  }
});

Deno.test("each request gives one structured access record", async (t) => {
  const records: LogRecord[] = [];
  const app = createApp({
    publish: { root: PUBLISHED },
    handler: (req) => {
      if (req.path === "/boom") throw new Error("boom");
      return "fallback";
    },
    log: (record) => void records.push(record),
  });
  try {
    await t.step("with method, path, status, duration, request id, address and route", async () => {
      const response = await app.fetch(new Request("http://localhost/hello?name=Ada"));
      await response.body?.cancel();
      const access = records.filter((r) => r instanceof AccessRecord);
      assert.equal(access.length, 1);
      const [record] = access as AccessRecord[];
      assert.deepEqual(record.category, ["pubkit", "server", "access"]);
      assert.equal(record.level, "info");
      const { duration, requestId, ...rest } = record.properties;
      assert.deepEqual(rest, {
        method: "GET",
        path: "/hello?name=Ada",
        status: response.status,
        remoteAddr: undefined, // in process: no connection
        route: "/hello",
      });
      assert.ok(duration >= 0 && duration < 10_000, String(duration));
      assert.equal(typeof requestId, "string");
      assert.ok(Math.abs(record.timestamp - Date.now()) < 10_000);
    });
    await t.step("the request id is the one the error response shows", async () => {
      records.length = 0;
      const response = await app.fetch(new Request("http://localhost/boom"));
      await response.body?.cancel();
      assert.equal(response.status, 500);
      const access = records.find((r) => r instanceof AccessRecord) as AccessRecord;
      assert.equal(access.properties.requestId, response.headers.get("x-request-id"));
      assert.equal(access.properties.route, undefined, "the fallback handler has no route");
      const error = records.find((r) => r.level === "error")!;
      assert.deepEqual(error.category, ["pubkit", "server"]);
      assert.equal((error.properties.error as Error).message, "boom");
    });
  } finally {
    await app.close();
  }
});

Deno.test("accessLog: false logs no access record", async () => {
  const records: LogRecord[] = [];
  const app = createApp({
    handler: () => "ok",
    accessLog: false,
    log: (record) => void records.push(record),
  });
  await (await app.fetch(new Request("http://localhost/"))).text();
  await app.close();
  assert.deepEqual(records, []);
});

Deno.test("an application that configured LogTape gets the records through its sinks", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { test: (record) => void records.push(record) },
    loggers: [
      { category: ["pubkit"], sinks: ["test"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    const app = createApp({ handler: () => "ok" });
    await (await app.fetch(new Request("http://localhost/x"))).text();
    await app.close();
  } finally {
    await reset();
  }
  assert.equal(records.length, 1);
  const [record] = records;
  assert.deepEqual(record.category, ["pubkit", "server", "access"]);
  assert.equal(record.properties.path, "/x");
  assert.deepEqual(record.message, [
    "",
    "GET",
    " ",
    "/x",
    " ",
    200,
    " ",
    record.properties.duration,
    "ms",
  ]);
});

Deno.test('bufferedSink({ format: "json" }) writes one JSON object per line', async () => {
  const writer = memoryWriter();
  const app = createApp({ handler: () => "ok", log: bufferedSink({ format: "json", writer }) });
  await (await app.fetch(new Request("http://localhost/a%22b?q=1"))).text();
  await app.close(); // flushes the sink
  const lines = writer.text().trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].logger, "pubkit.server.access");
  assert.equal(lines[0].level, "INFO");
  assert.equal(lines[0].properties.path, "/a%22b?q=1");
  assert.equal(lines[0].properties.status, 200);
  assert.equal(lines[0].message, "{method} {path} {status} {duration}ms");
});

/** The access record of request `i`, a 200 for `path` from 127.0.0.1. */
const pageRecord = (i: number, path: string) =>
  new AccessRecord({
    method: "GET",
    path,
    status: 200,
    duration: 1,
    requestId: `r${i}`,
    remoteAddr: "127.0.0.1",
    route: "/page",
  }, 0);

/** A writer whose writes never end (a pipe nobody reads), counting them; never written to at once. */
function stuckWriter(): LogWriter & { writes: number } {
  const writer = {
    writes: 0,
    write: () => (writer.writes++, new Promise<number>(() => {})),
    writeSync: (): number => {
      throw new Error("a stuck writer is not written to synchronously");
    },
  };
  return writer;
}

Deno.test("bufferedSink() writes whole lines of at most 4096 bytes at a time, so writers sharing a pipe never split a line", async () => {
  const sizes: Uint8Array[] = [];
  const writer: LogWriter = {
    write(bytes) {
      sizes.push(bytes.slice());
      return Promise.resolve(bytes.length);
    },
    writeSync: (bytes) => bytes.length,
  };
  {
    await using sink = bufferedSink({ writer, batchSize: 100_000 });
    for (let i = 0; i < 500; i++) sink(pageRecord(i, `/page/${i}?${"q".repeat(i % 50)}`));
    sink(
      new AccessRecord({
        method: "GET",
        path: `/${"x".repeat(6000)}`,
        status: 414,
        duration: 0,
        requestId: "long",
        remoteAddr: undefined,
        route: undefined,
      }, 0),
    );
  }
  assert.ok(sizes.length > 10, `${sizes.length} writes`);
  for (const bytes of sizes) {
    assert.equal(bytes.at(-1), 10, "each write ends a line");
    const lines = new TextDecoder().decode(bytes).split("\n").length - 1;
    assert.ok(bytes.length <= 4096 || lines === 1, `${bytes.length} bytes, ${lines} lines`);
  }
  const text = sizes.map((bytes) => new TextDecoder().decode(bytes)).join("");
  assert.equal(text.split("\n").length - 1, 501);
});

Deno.test("bufferedSink() writes a batch to a regular file in one write: every write() to a file lands whole", async () => {
  const path = await Deno.makeTempFile();
  try {
    using file = await Deno.open(path, { write: true });
    const sizes: number[] = [];
    const writer = {
      write: (bytes: Uint8Array) => (sizes.push(bytes.length), file.write(bytes)),
      writeSync: (bytes: Uint8Array) => file.writeSync(bytes),
      statSync: () => file.statSync(),
    };
    {
      await using sink = bufferedSink({ writer, batchSize: 100_000 });
      for (let i = 0; i < 500; i++) sink(pageRecord(i, `/page/${i}`));
    }
    const text = await Deno.readTextFile(path);
    assert.ok(text.length > 4096 * 5, `${text.length} bytes`);
    assert.deepEqual(sizes, [text.length], "one write of the whole batch");
    assert.equal(text.split("\n").length - 1, 500);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("bufferedSink() writes a batch per interval, at once past batchSize, and drops past maxPending", async (t) => {
  const record = (i: number) =>
    new AccessRecord({
      method: "GET",
      path: `/${i}`,
      status: 200,
      duration: 1.25,
      requestId: `r${i}`,
      remoteAddr: "::1",
      route: undefined,
    }, 0);
  await t.step("records wait for the timer, then go out in one write", async () => {
    const writer = memoryWriter();
    await using sink = bufferedSink({ writer, flushInterval: 20 });
    for (let i = 0; i < 5; i++) sink(record(i));
    assert.equal(writer.writes, 0, "nothing is written on the request's path");
    const deadline = Date.now() + 5_000;
    while (writer.writes === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(writer.writes, 1);
    assert.equal(writer.text().split("\n").length - 1, 5);
    assert.equal(
      writer.text().split("\n")[0],
      '1970-01-01T00:00:00.000Z ::1 "GET /0" 200 1ms r0 -',
    );
  });
  await t.step("batchSize starts a write at once", async () => {
    const writer = memoryWriter();
    await using sink = bufferedSink({ writer, batchSize: 3 });
    for (let i = 0; i < 3; i++) sink(record(i));
    assert.equal(writer.writes, 1);
  });
  await t.step("maxPending bounds memory; the drop is counted and reported", async () => {
    const writer = memoryWriter();
    const sink = bufferedSink({ writer, maxPending: 2 });
    for (let i = 0; i < 5; i++) sink(record(i));
    assert.equal(sink.dropped, 3);
    await sink[Symbol.asyncDispose]();
    const lines = writer.text().trim().split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[2], /^pubkit: 3 log records dropped/);
  });
  await t.step("options are checked", () => {
    assert.throws(() => bufferedSink({ flushInterval: 0 }), RangeError);
    assert.throws(() => bufferedSink({ maxPending: Number.NaN }), RangeError);
  });
});

/** Starts the default-log app as a process; resolves with its URL and a reader of all stdout. */
async function startProcess(args: string[], env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  let err = "";
  const outDone = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (out += chunk) }),
  );
  const errDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (err += chunk) }),
  );
  const deadline = Date.now() + 30_000;
  let match: RegExpExecArray | null = null;
  while (!(match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out + err))) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`it did not listen:\n${out}\n${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url: new URL(match[1]),
    async stop() {
      child.kill("SIGTERM");
      const status = await child.status;
      await Promise.all([outDone, errDone]);
      return { status, out, err };
    },
  };
}

for (
  const [how, args, env] of [
    ["app.serve()", ["run", "-A", "--unstable-no-legacy-abort", APP], { SELF_SERVE: "1" }],
    [
      "deno serve",
      ["serve", "-A", "--unstable-no-legacy-abort", "--host", "127.0.0.1", "--port", "0", APP],
      {},
    ],
  ] as const
) {
  Deno.test(`the default access log loses no line on SIGTERM (${how})`, async () => {
    const server = await startProcess([...args], env);
    // A client of its own, closed before the signal: `deno serve` drains open keep-alive
    // connections before it exits, and the test's idle ones would keep it waiting.
    using client = Deno.createHttpClient({});
    const n = 400;
    const before = Date.now();
    // Eight clients at a time; the last responses arrive right before the signal, so their
    // records are still in the buffer then.
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        const response = await fetch(new URL(`/r/${i}`, server.url), { client });
        assert.equal(await response.text(), "ok");
      }
    }));
    client.close();
    const after = Date.now();
    const { status, out, err } = await server.stop();
    assert.equal(status.code, 0, err);
    const lines = out.split("\n").filter((line) => line.includes('"GET /r/')).map(parseLine);
    // Time stamps are the wall clock's at each response.
    for (const { time } of lines) {
      const at = Date.parse(time);
      assert.ok(at >= before - 1 && at <= after + 1, `${time} outside the requests' time`);
    }
    const paths = lines.map((line) => line.target).sort();
    const expected = Array.from({ length: n }, (_, i) => `/r/${i}`).sort();
    assert.deepEqual(paths, expected);
  });
}

Deno.test("the default access log loses no line on SIGTERM with stdout redirected to a file", async () => {
  const path = await Deno.makeTempFile();
  // `exec` in sh: the app's stdout is the file itself, as with `deno task serve > access.log`.
  const child = new Deno.Command("sh", {
    args: ["-c", 'exec "$0" "$@" > "$LOG_FILE"', Deno.execPath(), "run", "-A", APP],
    env: { SELF_SERVE: "1", LOG_FILE: path },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const errText = new Response(child.stderr).text();
  try {
    let url: URL | undefined;
    const deadline = Date.now() + 30_000;
    while (url === undefined) {
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(
        await Deno.readTextFile(path),
      );
      if (match) url = new URL(match[1]);
      else if (Date.now() > deadline) throw new Error("it did not listen");
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const base: URL = url;
    using client = Deno.createHttpClient({});
    const n = 2000;
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < n) {
        const response = await fetch(new URL(`/f/${next++}`, base), { client });
        assert.equal(await response.text(), "ok");
      }
    }));
    client.close();
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0, await errText);
    const paths = (await Deno.readTextFile(path)).split("\n")
      .filter((line) => line.includes('"GET /f/')).map((line) => parseLine(line).target).sort();
    assert.deepEqual(paths, Array.from({ length: n }, (_, i) => `/f/${i}`).sort());
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
    await errText.catch(() => {});
    await Deno.remove(path);
  }
});

Deno.test("stdout counts as a regular file (whole batches per write) only when it is one", async () => {
  const module = new URL("./_line_buffer.ts", import.meta.url).href;
  const code =
    `import { isRegularFile } from "${module}"; console.error(isRegularFile(Deno.stdout));`;
  const seen = async (redirect: string) => {
    const { stderr } = await new Deno.Command("sh", {
      args: ["-c", `exec "$0" eval "$CODE" ${redirect}`, Deno.execPath()],
      env: { CODE: code },
      stderr: "piped",
    }).output();
    return new TextDecoder().decode(stderr).trim();
  };
  const file = await Deno.makeTempFile();
  try {
    assert.equal(await seen(`> "${file}"`), "true");
    assert.equal(await seen("| cat"), "false");
    assert.equal(await seen("> /dev/null"), "false");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("the access log shows the target with its query, every non-ASCII character escaped, and a 414 target cut to the limit", async () => {
  const writer = memoryWriter();
  const sink = bufferedSink({ writer });
  const app = createApp({ handler: () => "ok", log: sink });
  await using served = await serveForTest(app);
  const invisible = [
    "\u200b", // zero-width space
    "\ufeff", // byte order mark
    "\u00ad", // soft hyphen
    "\u2060", // word joiner
    "\u{e0041}", // a tag character
    "\u3164", // Hangul filler
    "\u2003", // em space: reads as a field separator
    "\u2028", // line separator
    "\u0430", // Cyrillic a: visible, but /\u0430dmin would read as /admin
  ];
  const targets = ["/notes?page=2", "/q?a=%22&b=c", ...invisible.map((c) => `/ad${c}min?x=${c}`)];
  const tooLong = "/" + '"'.repeat(20_000); // answered 414, logged cut to the 8 KiB limit
  for (const target of targets) {
    const { status } = await served.raw(new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    ));
    assert.equal(status, 200, JSON.stringify(target));
  }
  const { status } = await served.raw(new TextEncoder().encode(
    `GET ${tooLong} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
  ));
  assert.equal(status, 414);
  await sink.flush();
  const logged = writer.text().split("\n").filter((line) => line.includes('"GET '));
  assert.equal(logged.length, targets.length + 1);
  for (const [i, line] of logged.entries()) {
    assert.doesNotMatch(line, /[^\x20-\x7e]/, `only printable ASCII: ${JSON.stringify(line)}`);
    const expected = i < targets.length ? targets[i] : tooLong.slice(0, 8192) + "...";
    assert.equal(parseLine(line).target, expected);
  }
});

Deno.test('bufferedSink({ format: "json" }) escapes invisible characters and line separators inside strings', async () => {
  const writer = memoryWriter();
  const sink = bufferedSink({ writer, format: "json" });
  const path = "/a\u200b\u2028\u2029\u0085\ufeff\u{e0041}b";
  sink(pageRecord(1, path));
  await sink.flush();
  const text = writer.text();
  assert.doesNotMatch(text.trimEnd(), /[^\x20-\x7e]/, JSON.stringify(text));
  assert.equal(JSON.parse(text).properties.path, path);
});

/**
 * Starts the default-log app (`app.serve()`) with its stdout read only as the test asks, in
 * pieces of at most 4096 bytes: a reader that stops, or a slow one.
 */
async function startWithStdoutReader(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", APP],
    env: { SELF_SERVE: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const errText = new Response(child.stderr).text();
  const reader = child.stdout.getReader({ mode: "byob" });
  let out = "";
  const decoder = new TextDecoder();
  /** Reads one piece; false at the end of the output. */
  const readPiece = async () => {
    const { value, done } = await reader.read(new Uint8Array(4096));
    if (value) out += decoder.decode(value, { stream: true });
    return !done;
  };
  let match: RegExpExecArray | null = null;
  while (!(match = /Listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out))) {
    if (!await readPiece()) throw new Error(`it did not listen: ${await errText}`);
  }
  return {
    child,
    url: new URL(match[1]),
    readPiece,
    /** Everything read so far. */
    out: () => out,
    errText,
  };
}

/** Sends GET /<prefix>/<i> for i < n, eight at a time, each answered "ok". */
async function requestAll(url: URL, prefix: string, n: number) {
  using client = Deno.createHttpClient({});
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < n) {
      const response = await fetch(new URL(`/${prefix}/${next++}`, url), { client });
      assert.equal(await response.text(), "ok");
    }
  }));
}

Deno.test("the shutdown ends within cleanupTimeout when nobody reads the log, and every line is written or counted", async () => {
  const server = await startWithStdoutReader({ CLEANUP_TIMEOUT: "300" });
  try {
    const n = 3000; // about 280 KB of log: more than a pipe holds
    await requestAll(server.url, "d", n); // nobody reads stdout meanwhile
    const signalled = Date.now();
    server.child.kill("SIGTERM");
    const status = await Promise.race([
      server.child.status,
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000)),
    ]);
    assert.notEqual(status, "hung", "the shutdown waited on the full pipe");
    const took = Date.now() - signalled;
    assert.equal((status as Deno.CommandStatus).code, 0);
    assert.ok(took < 5_000, `the shutdown took ${took} ms`);
    while (await server.readPiece()) { /* what the pipe held */ }
    const err = await server.errText;
    const report =
      /pubkit: (\d+) log lines not written: the log output did not take them within 300 ms of close/
        .exec(err);
    assert.ok(report, err);
    const paths = server.out().split("\n").filter((line) => line.includes('"GET /d/'))
      .map((line) => parseLine(line).target);
    assert.equal(new Set(paths).size, paths.length, "no line twice");
    assert.ok(paths.length > 0);
    assert.equal(paths.length + Number(report[1]), n, "each line written or counted");
  } finally {
    try {
      server.child.kill("SIGKILL");
    } catch { /* exited */ }
    await server.child.status;
  }
});

Deno.test("a second signal with a slow log reader exits 1 and loses no line", async () => {
  const server = await startWithStdoutReader({});
  let reading = true;
  // About 80 KB/s: the log backs up while the requests run.
  const slowReader = (async () => {
    while (reading && await server.readPiece()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const n = 2000;
    await requestAll(server.url, "s", n);
    server.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.child.kill("SIGTERM");
    assert.equal((await server.child.status).code, 1);
    await slowReader;
    const paths = server.out().split("\n").filter((line) => line.includes('"GET /s/'))
      .map((line) => parseLine(line).target).sort();
    assert.deepEqual(paths, Array.from({ length: n }, (_, i) => `/s/${i}`).sort());
    assert.doesNotMatch(await server.errText, /not written|dropped/);
  } finally {
    reading = false;
    try {
      server.child.kill("SIGKILL");
    } catch { /* exited */ }
    await server.child.status;
  }
});

Deno.test("bufferedSink() bounds what waits in bytes as well as in lines, and gives up on a stuck writer at close", async () => {
  const stuck = stuckWriter();
  const sink = bufferedSink({
    writer: stuck,
    flushInterval: 1,
    maxPendingBytes: 64 * 1024,
    closeTimeout: 50,
  });
  const longPath = "/" + "\\".repeat(8000); // 32 KB once escaped
  for (let i = 0; i < 100; i++) {
    if (i === 1) await new Promise((resolve) => setTimeout(resolve, 20)); // the first goes out
    sink(pageRecord(i, longPath));
  }
  // One line went to the writer; past 64 KiB (three lines) more wait no longer.
  assert.equal(100 - sink.dropped, 1 + 3);
  const started = Date.now();
  await sink[Symbol.asyncDispose]();
  assert.ok(Date.now() - started < 2_000);
  assert.equal(sink.dropped, 100, "everything the writer did not take is counted");
  assert.equal(stuck.writes, 1);
  // Given up: a flush or a second close returns at once, and nothing is counted twice.
  const again = Date.now();
  await sink.flush();
  await sink[Symbol.asyncDispose]();
  assert.ok(Date.now() - again < 40, `${Date.now() - again} ms`);
  assert.equal(sink.dropped, 100);
});

Deno.test("flushSync() at an exit does not wait on a stalled write, and counts its lines with the rest", async () => {
  const sink = bufferedSink({ writer: stuckWriter(), flushInterval: 1, closeTimeout: 50 });
  const record = (i: number) => pageRecord(i, `/${i}`);
  for (let i = 0; i < 10; i++) sink(record(i));
  await new Promise((resolve) => setTimeout(resolve, 1100)); // the 10 are in the stalled write
  for (let i = 10; i < 15; i++) sink(record(i));
  sink.flushSync();
  assert.equal(sink.dropped, 15, "the stalled write's lines and the waiting ones");
  await sink[Symbol.asyncDispose]();
  assert.equal(sink.dropped, 15, "nothing counted twice at close");
});
