import assert from "node:assert/strict";
import { createApp } from "./app.ts";

const MiB = 1024 * 1024;
const B = "uploadsTestBoundary";
const encoder = new TextEncoder();

/** A multipart body with one file of `size` bytes, made lazily in 64 KiB chunks. */
function multipartStream(size: number, onChunk?: (sent: number) => void | Promise<void>) {
  const head = encoder.encode(
    `--${B}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`,
  );
  const tail = encoder.encode(`\r\n--${B}--\r\n`);
  const block = new Uint8Array(64 * 1024).fill(97);
  let sent = -1;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === -1) {
        controller.enqueue(head);
        sent = 0;
        return;
      }
      if (sent >= size) {
        controller.enqueue(tail);
        controller.close();
        return;
      }
      const n = Math.min(block.length, size - sent);
      controller.enqueue(n === block.length ? block : block.subarray(0, n));
      sent += n;
      await onChunk?.(sent);
    },
  }, { highWaterMark: 0 });
}

async function publishRoot(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${root}/upload.ts`,
    // Reads the upload's ends back from its temporary file (the whole of it is checked in
    // request/spool_test.ts; reading 600 MiB back measures the reader's garbage, not pubkit).
    `export async function index(req, fields) {
       const { file } = fields;
       const ends = await file.slice(0, 2).text() + await file.slice(-2).text();
       return ends === "aaaa" ? String(file.size) : "corrupt";
     }`,
  );
  return root;
}

/** A process's resident set and its peak so far, in MiB (Linux). */
async function memoryOf(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
}

Deno.test("20 parallel 30 MiB uploads keep the server's RSS growth under 100 MiB and leave no temporary file", async () => {
  const root = await publishRoot();
  const spoolDir = await Deno.makeTempDir();
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-no-legacy-abort",
      new URL("./testdata/upload_server.ts", import.meta.url).pathname,
      root,
      spoolDir,
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  try {
    const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const url = new URL("/upload", (await lines.read()).value!.trim());
    lines.releaseLock();
    const post = (body: ReadableStream<Uint8Array>, signal?: AbortSignal) =>
      fetch(url, {
        method: "POST",
        body,
        signal,
        headers: { "content-type": `multipart/form-data; boundary=${B}` },
      });
    // Warm up (JIT, buffers), then take the peak while 20 uploads run at once.
    for (let i = 0; i < 2; i++) {
      assert.equal(await (await post(multipartStream(2 * MiB))).text(), String(2 * MiB));
    }
    const before = await memoryOf(server.pid);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(multipartStream(30 * MiB)).then((r) => r.text())),
    );
    assert.deepEqual(answers, Array(20).fill(String(30 * MiB)));
    const after = await memoryOf(server.pid);
    const growth = after.peak - before.rss;
    console.log(`server RSS ${before.rss.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB`);
    assert.ok(growth < 100, `the server's RSS grew by ${growth.toFixed(0)} MiB`);
    // Cleanups run once a response is sent, so a file may be going while the answer arrives.
    const removed = Date.now() + 5_000;
    while ([...Deno.readDirSync(spoolDir)].length > 0 && Date.now() < removed) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual([...Deno.readDirSync(spoolDir)], [], "every temporary file is gone");

    // A client that goes away midway: its temporary file is removed too.
    const gone = new AbortController();
    const cut = post(
      multipartStream(30 * MiB, (sent) => {
        if (sent >= 8 * MiB) gone.abort();
      }),
      gone.signal,
    );
    await assert.rejects(cut);
    const deadline = Date.now() + 5_000;
    while ([...Deno.readDirSync(spoolDir)].length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual([...Deno.readDirSync(spoolDir)].map((e) => e.name), []);
  } finally {
    await server.stdin.close();
    await server.stdout.cancel().catch(() => {});
    await server.status;
    await Deno.remove(root, { recursive: true });
    await Deno.remove(spoolDir, { recursive: true });
  }
});

Deno.test("createApp({ maxBufferedBodyBytes }) answers 503 with Retry-After past the budget, then recovers", async () => {
  const app = createApp({
    maxBufferedBodyBytes: MiB,
    formLimits: { maxUrlEncodedBytes: 4 * MiB, maxFieldValueBytes: 4 * MiB },
    handler: async (req) => String(((await req.form()).get("a") as string).length),
    log: () => {},
  });
  const form = (size: number, hold?: Promise<void>) => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sent) {
          controller.enqueue(encoder.encode("a=" + "x".repeat(size)));
          sent = true;
          return;
        }
        await hold;
        controller.close();
      },
    });
    return app.fetch(
      new Request("http://localhost/", {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
    );
  };
  const { promise: hold, resolve: release } = Promise.withResolvers<void>();
  const first = form(700 * 1024, hold); // holds 700 KiB while it waits
  await new Promise((r) => setTimeout(r, 50));
  const refused = await form(700 * 1024);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  await refused.body?.cancel();
  release();
  assert.equal(await (await first).text(), String(700 * 1024));
  // The first request gave its share back when it ended.
  assert.equal(await (await form(700 * 1024)).text(), String(700 * 1024));
  await app.close();
});
