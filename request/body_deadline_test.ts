import assert from "node:assert/strict";
import { BodyDeadline, type DeadlineClock } from "./body_deadline.ts";
import { HttpError } from "./http_error.ts";
import { parseForm } from "./form.ts";

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements DeadlineClock {
  #now = 0;
  #next = 0;
  #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Advances time by `ms`, firing due timers in order and letting promises settle. */
  async tick(ms: number): Promise<void> {
    await settle(); // let pending reads reach pull() and arm their timers
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
      await settle();
    }
    this.#now = target;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** A body the test feeds by hand; records how it was cancelled. */
function manualBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancelled: unknown[] = [];
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled.push(reason);
    },
  }, { highWaterMark: 0 });
  return { stream, controller, cancelled };
}

function is408(pattern: RegExp) {
  return (e: unknown) => e instanceof HttpError && e.status === 408 && pattern.test(e.message);
}

/** Whether `promise` has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await settle();
  return done;
}

Deno.test("BodyDeadline.stream() fails with 408 once waiting passes the timeout", async () => {
  const clock = new FakeClock();
  const body = manualBody();
  const guarded = new BodyDeadline({ timeout: 30_000, minBytesPerSecond: 0, clock })
    .stream(body.stream);
  const reader = guarded.getReader();
  const read = reader.read();
  await clock.tick(29_999);
  assert.equal(await settled(read), false);
  await clock.tick(1);
  await assert.rejects(read, is408(/longer than 30000 ms/));
  assert.ok(body.cancelled[0] instanceof HttpError, "the client's body is cancelled");
  assert.equal(clock.pending, 0);
});

Deno.test("BodyDeadline.stream() fails with 408 when the rate falls below the minimum", async () => {
  const clock = new FakeClock();
  const body = manualBody();
  const guarded = new BodyDeadline({ minBytesPerSecond: 500, grace: 5_000, clock })
    .stream(body.stream);
  const reader = guarded.getReader();
  body.controller.enqueue(new Uint8Array(1000));
  assert.equal((await reader.read()).value?.length, 1000);
  // 1000 bytes buy 2 s of waiting beyond the 5 s grace: the next read may wait 7 s in all.
  const read = reader.read();
  await clock.tick(6_999);
  assert.equal(await settled(read), false);
  await clock.tick(1);
  await assert.rejects(read, is408(/1000 bytes in 7\.0 s is below 500 bytes per second/));
});

Deno.test("BodyDeadline.stream() counts only time spent waiting on the client", async () => {
  const clock = new FakeClock();
  const body = manualBody();
  const guarded = new BodyDeadline({ timeout: 1_000, clock }).stream(body.stream);
  const reader = guarded.getReader();
  body.controller.enqueue(Uint8Array.of(1));
  await reader.read();
  assert.equal(clock.pending, 0, "no timer while the handler is not reading");
  await clock.tick(60_000); // the handler is busy elsewhere
  body.controller.enqueue(Uint8Array.of(2));
  assert.deepEqual((await reader.read()).value, Uint8Array.of(2));
  const read = reader.read();
  await clock.tick(999);
  body.controller.close();
  assert.equal((await read).done, true);
  assert.equal(clock.pending, 0);
});

Deno.test("BodyDeadline.stream() passes a prompt body through unchanged", async () => {
  const deadline = new BodyDeadline({ timeout: 5_000 });
  const bytes = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
  const out = await new Response(deadline.stream(new Response(bytes).body!)).bytes();
  assert.deepEqual(out, bytes);
});

Deno.test("BodyDeadline.stream() with both limits off sets no timer", async () => {
  const clock = new FakeClock();
  const body = manualBody();
  const guarded = new BodyDeadline({ timeout: Infinity, minBytesPerSecond: 0, clock })
    .stream(body.stream);
  const reader = guarded.getReader();
  const read = reader.read();
  await settle();
  assert.equal(clock.pending, 0);
  body.controller.close();
  assert.equal((await read).done, true);
});

Deno.test("BodyDeadline cancels the client's body when the reader cancels", async () => {
  const clock = new FakeClock();
  const body = manualBody();
  const guarded = new BodyDeadline({ clock }).stream(body.stream);
  await guarded.cancel("gone");
  assert.deepEqual(body.cancelled, ["gone"]);
});

Deno.test("BodyDeadline rejects bad options at construction", async (t) => {
  await t.step("unknown key", () => {
    assert.throws(() => new BodyDeadline({ timeOut: 1 } as never), RangeError);
  });
  await t.step("negative or NaN numbers", () => {
    assert.throws(() => new BodyDeadline({ timeout: -1 }), RangeError);
    assert.throws(() => new BodyDeadline({ grace: NaN }), RangeError);
    assert.throws(() => new BodyDeadline({ minBytesPerSecond: "5" as never }), RangeError);
  });
  await t.step("a body that is not a stream", () => {
    assert.throws(() => new BodyDeadline().stream("x" as never), TypeError);
  });
});

Deno.test("BodyDeadline.request() keeps a bodiless request as is", () => {
  const request = new Request("http://localhost/x?y=1");
  assert.equal(new BodyDeadline().request(request), request);
});

Deno.test("BodyDeadline over HTTP: parseForm() of a dribbled body is a 408 with Connection: close", async () => {
  const deadline = new BodyDeadline({ timeout: 300, minBytesPerSecond: 0 });
  const handled = Promise.withResolvers<number>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const started = performance.now();
    try {
      const form = await parseForm(deadline.request(request));
      return new Response(`fields ${[...form].length}`);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      return new Response(error.message, { status: error.status, headers: error.headers });
    } finally {
      handled.resolve(performance.now() - started);
    }
  });
  let stopped = false;
  const dribble = new ReadableStream<Uint8Array>({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (stopped) controller.close();
      else controller.enqueue(new TextEncoder().encode("a"));
    },
    cancel() {
      stopped = true;
    },
  });
  const abort = new AbortController();
  try {
    const response = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: dribble,
      signal: abort.signal,
      duplex: "half",
    } as RequestInit);
    assert.equal(response.status, 408);
    assert.equal(response.headers.get("connection"), "close");
    assert.match(await response.text(), /Cannot read the request body/);
    const ms = await handled.promise;
    assert.ok(ms < 5_000, `the handler gave up after ${ms} ms`);
  } finally {
    stopped = true;
    abort.abort();
    await server.shutdown();
  }
});

Deno.test("BodyDeadline.stream() fills a reader's own buffer and skips empty chunks", async () => {
  const readAll = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader({ mode: "byob" });
    let buffer = new Uint8Array(4);
    let text = "";
    for (;;) {
      const { done, value } = await reader.read(buffer);
      if (done) break;
      text += new TextDecoder().decode(value);
      buffer = new Uint8Array(value.buffer); // handed back, reused: no chunk allocated per read
    }
    return text;
  };
  const deadline = new BodyDeadline();
  const chunks = ["", "ab", "", "cdefgh", ""].map((s) => new TextEncoder().encode(s));
  assert.equal(await readAll(deadline.stream(ReadableStream.from(chunks))), "abcdefgh");
  // A byte stream (what Deno gives for a request body) is read into the reader's buffer.
  const bytes = new Request("http://localhost/", { method: "POST", body: "hello, world" }).body!;
  assert.equal(await readAll(deadline.stream(bytes)), "hello, world");
});
