import assert from "node:assert/strict";
import { BodyReader } from "./body_reader.ts";

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A body arriving in the given chunks. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk)));
}

Deno.test("BodyReader.readLine() returns lines across chunk boundaries, LF kept", async () => {
  const reader = new BodyReader(body("ab", "c\nde", "f\n\ng", "h"));
  const lines: string[] = [];
  for await (const line of reader) lines.push(text(line));
  assert.deepEqual(lines, ["abc\n", "def\n", "\n", "gh"]);
  assert.equal((await reader.readLine()).length, 0);
});

Deno.test("BodyReader.readLine(limit) cuts a long line into pieces of at most limit", async () => {
  const reader = new BodyReader(body("1234567", "89\nx"));
  assert.deepEqual(
    [await reader.readLine(4), await reader.readLine(4), await reader.readLine(4)].map(text),
    ["1234", "5678", "9\n"],
  );
  assert.equal(text(await reader.readLine(4)), "x");
});

Deno.test("BodyReader.readLines(sizeHint) stops once the lines reach the hint", async () => {
  const line = "1234567890".repeat(3000) + "\n";
  const all = line.repeat(4);
  const chunks = all.match(/[^]{1,4096}/g)!;
  assert.deepEqual((await new BodyReader(body(...chunks)).readLines()).map(text), [
    line,
    line,
    line,
    line,
  ]);
  assert.deepEqual((await new BodyReader(body(...chunks)).readLines(30_000)).map(text), [line]);
  assert.deepEqual((await new BodyReader(body(...chunks)).readLines(32_000)).map(text), [
    line,
    line,
  ]);
});

Deno.test("BodyReader.read(n) and discard() consume exactly what they say", async () => {
  const reader = new BodyReader(body("12345", "67890", "abcdefghij"));
  assert.equal(text(await reader.read(7)), "1234567");
  assert.equal(await reader.discard(), 13);
  assert.equal((await reader.read()).length, 0);
  assert.equal((await new BodyReader(null).read()).length, 0);
});

Deno.test("BodyReader rejects sizes that are not non-negative integers", async () => {
  const reader = new BodyReader(body("x"));
  await assert.rejects(reader.read(-1), RangeError);
  await assert.rejects(reader.readLine(1.5), RangeError);
  await assert.rejects(reader.readLines(Number.NaN), RangeError);
});

Deno.test("BodyReader passes a read error (such as a 408 deadline) through", async () => {
  const failing = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.error(new Error("too slow"));
    },
  });
  await assert.rejects(new BodyReader(failing).readLine(), /too slow/);
});

Deno.test("BodyReader counts what it buffers against a budget, and refuses past it", async () => {
  let held = 0;
  const budget = {
    take(bytes: number) {
      if (held + bytes > 10) throw new RangeError("over budget");
      held += bytes;
    },
    give(bytes: number) {
      held -= bytes;
    },
  };
  const reader = new BodyReader(body("1234\n", "5678\n", "abcdefghijkl\n"), { budget });
  assert.equal(text(await reader.readLine()), "1234\n");
  assert.equal(held, 0, "handed-out bytes are the caller's");
  assert.equal(text(await reader.read(2)), "56");
  assert.equal(held, 3);
  await assert.rejects(reader.read(), RangeError); // the 13-byte chunk passes the budget
  assert.equal(held, 3);
  assert.equal(await reader.discard(), 3);
  assert.equal(held, 0);
});
