/**
 * The fuzzing harness shared by every target in `tests/fuzz/`.
 *
 * A finding is: an exception other than the target's typed 4xx errors, a 5xx, a change to
 * `Object.prototype`, more than 100 ms on an input under 64 KiB, or super-linear time across
 * 1/4/16/64 KiB inputs. Each target runs `runs(n)` generated inputs (scaled by `FUZZ_RUNS`),
 * its dangerous seeds, and its `regressions` (shrunk counterexamples kept as literals).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HttpError } from "@pubkit/request";

/** Inputs a target can be given; strings or bytes. */
export type FuzzInput = string | Uint8Array;

/** The number of generated inputs for a target: `base` in CI, `FUZZ_RUNS` when set. */
export function runs(base: number): number {
  const env = Deno.env.get("FUZZ_RUNS");
  if (env === undefined || env === "") return base;
  const n = Number(env);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`FUZZ_RUNS=${env} is not a count`);
  return n;
}

/** A fixed seed in CI (reproducible), a random one for long runs; printed on failure. */
export function seed(): number {
  const env = Deno.env.get("FUZZ_SEED");
  if (env) return Number(env);
  return Deno.env.get("FUZZ_RUNS") ? Date.now() : 20251123;
}

/** fast-check parameters for a target. */
export function params(base: number): fc.Parameters<unknown> {
  return { numRuns: runs(base), seed: seed(), endOnFailure: true };
}

/** True for the typed client errors a parser may end in: an `HttpError` with a 4xx status. */
export function is4xx(error: unknown): boolean {
  return error instanceof HttpError && error.status >= 400 && error.status < 500;
}

function prototypeSnapshot(): string {
  const names = Object.getOwnPropertyNames(Object.prototype).sort();
  return names.map((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(Object.prototype, name)!;
    return `${name}:${typeof descriptor.value}:${String(descriptor.get)}`;
  }).join("|") + `|proto:${String(Object.getPrototypeOf(Object.prototype))}`;
}

const PROTOTYPE = prototypeSnapshot();

function byteLength(input: FuzzInput): number {
  return typeof input === "string" ? new TextEncoder().encode(input).length : input.length;
}

/** Options for {@linkcode checkTotal}. */
export interface TotalOptions {
  /** Errors that count as a typed refusal besides 4xx `HttpError`s (e.g. `TypeError`). */
  allowed?: (error: unknown) => boolean;
  /** The most milliseconds an input under 64 KiB may take; 100 by default. */
  maxMs?: number;
}

/**
 * Runs `target(input)` and fails on any finding: an exception that is not a typed refusal, a
 * returned `Response` with a 5xx status, a change to `Object.prototype`, or too much time.
 */
export async function checkTotal<T extends FuzzInput>(
  target: (input: T) => unknown,
  input: T,
  options: TotalOptions = {},
): Promise<void> {
  const maxMs = options.maxMs ?? 100;
  const started = performance.now();
  let result: unknown;
  try {
    result = await target(input);
  } catch (error) {
    if (!is4xx(error) && !options.allowed?.(error)) {
      throw new Error(`finding: ${describe(input)} threw ${String(error)}`, { cause: error });
    }
  }
  const ms = performance.now() - started;
  if (result instanceof Response) {
    await result.body?.cancel();
    assert.ok(result.status < 500, `finding: ${describe(input)} gave a ${result.status}`);
  }
  assert.equal(
    prototypeSnapshot(),
    PROTOTYPE,
    `finding: ${describe(input)} changed Object.prototype`,
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  if (byteLength(input) < 64 * 1024 && ms > maxMs) {
    // One wall-clock sample on a loaded machine (GC, other processes) is noise, not a finding:
    // a genuinely slow input is slow every time, so judge the fastest of three runs.
    let fastest = ms;
    for (let i = 0; i < 2 && fastest > maxMs; i++) {
      const again = performance.now();
      await Promise.resolve().then(() => target(input)).then(
        (again) => again instanceof Response ? again.body?.cancel() : undefined,
        () => {},
      );
      fastest = Math.min(fastest, performance.now() - again);
    }
    assert.ok(fastest <= maxMs, `finding: ${describe(input)} took ${fastest.toFixed(1)} ms`);
  }
}

/** A short, printable description of an input for failure messages. */
export function describe(input: FuzzInput): string {
  const text = typeof input === "string" ? input : new TextDecoder().decode(input);
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}… (${text.length})` : text);
}

/**
 * Measures `target` on inputs of 1, 4, 16 and 64 KiB built by `make(bytes)` and fails when the
 * time per byte grows super-linearly. Each measurement processes the same total bytes (64 KiB of
 * 1 KiB inputs against one 64 KiB input) and takes the median of several, so a linear target
 * has ratios near 1 and a quadratic one near 64; the bound (8×) leaves room for a loaded CI.
 */
export async function checkLinear(
  name: string,
  make: (bytes: number) => FuzzInput,
  target: (input: FuzzInput) => unknown,
): Promise<void> {
  const sizes = [1024, 4096, 16384, 65536];
  const total = 65536 * 2;
  const fastest: number[] = [];
  for (const size of sizes) {
    const input = make(size);
    const repeat = total / size;
    const samples: number[] = [];
    for (let sample = 0; sample < 5; sample++) {
      const started = performance.now();
      for (let i = 0; i < repeat; i++) {
        try {
          await target(input);
        } catch { /* refusals are timed too */ }
      }
      samples.push(performance.now() - started);
    }
    // The fastest sample: a loaded machine only ever adds time (preemption, another process's
    // GC), so the minimum is the measure of the work itself that noise moves least.
    fastest.push(Math.min(...samples));
  }
  // Tiny totals are all noise: only judge when the largest run is measurable.
  const floor = Math.max(fastest[0], 1);
  const ratio = fastest[3] / floor;
  assert.ok(
    ratio < 8,
    `finding: ${name} is super-linear: per-byte time 1→64 KiB grew ${ratio.toFixed(1)}× ` +
      `(fastest of 5: ${fastest.map((m) => m.toFixed(1)).join("/")} ms for 128 KiB of each size)`,
  );
}

/** Splits bytes into chunks at the given cut points (any chunking of one body). */
export function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const point of points) {
    pieces.push(bytes.slice(last, point));
    last = point;
  }
  pieces.push(bytes.slice(last));
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < pieces.length) controller.enqueue(pieces[i++]);
      else controller.close();
    },
  });
}

/** Strings that have broken parsers before: prototype keys, bad escapes, controls, floods. */
export const DANGEROUS: readonly string[] = [
  "",
  "__proto__",
  "constructor",
  "prototype",
  "__proto__[polluted]=1",
  "constructor[prototype][polluted]=1",
  "__proto__.polluted=1",
  "%",
  "%%",
  "%zz",
  "%0",
  "%C0%AF",
  "%ED%A0%80",
  "%FF%FE",
  "%00",
  "\u0000",
  "\r\n",
  "\r\nSet-Cookie: a=1",
  "\ud800",
  "\udfff\ud800",
  "\u202e",
  "é",
  "../..",
  "..%2f..%2f",
  "%2e%2e",
  "%252e%252e",
  "\\..\\",
  "＼",
  "．．",
  "a".repeat(70_000),
  "&".repeat(10_000),
  "=".repeat(10_000),
  "%25".repeat(5_000),
  ";".repeat(10_000),
  "a=".repeat(5_000),
  " ".repeat(10_000),
  '"'.repeat(10_000),
  "<".repeat(10_000),
  "<%".repeat(5_000),
  "%>".repeat(5_000),
];

/** A fast-check string of any code units, lone surrogates included. */
export function anyString(maxLength = 300): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength, unit: "binary" }),
    fc.string({ maxLength, unit: fc.constantFrom(...'%&=+;,"\\/.<>_-[]{}aZ0\r\n\t \u0000é') }),
    fc.constantFrom(...DANGEROUS),
  );
}
