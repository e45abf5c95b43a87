/**
 * {@linkcode BodyDeadline}: request bodies that must arrive in time, at a minimum rate.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";
import { checkOptionKeys } from "./_check_options.ts";

/** The timer functions a deadline uses; a fake clock in tests, the global ones otherwise. */
export interface DeadlineClock {
  /** The current time in milliseconds. */
  now(): number;
  /** Calls `callback` after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer set with `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** Options for {@linkcode BodyDeadline}. */
export interface BodyDeadlineOptions {
  /**
   * The most time, in ms, spent waiting for the client's body bytes; 30 s by default.
   * `Infinity` turns it off.
   */
  timeout?: number;
  /**
   * The lowest average rate, in bytes per second of waiting, once `grace` has passed; 500 by
   * default (Apache `mod_reqtimeout`'s `MinRate`). `0` turns it off.
   */
  minBytesPerSecond?: number;
  /** Waiting time, in ms, before the minimum rate applies; 5 s by default. */
  grace?: number;
  /** The time source; the global timers by default. */
  clock?: DeadlineClock;
}

/** The defaults of {@linkcode BodyDeadlineOptions}. */
export const DEFAULT_BODY_DEADLINE: Readonly<Required<Omit<BodyDeadlineOptions, "clock">>> = Object
  .freeze({ timeout: 30_000, minBytesPerSecond: 500, grace: 5_000 });

/** setTimeout's largest delay; a longer wait is re-checked when it fires. */
const MAX_TIMER = 2 ** 31 - 1;
const NEVER = new Promise<never>(() => {});
const OPTION_KEYS = new Set(["timeout", "minBytesPerSecond", "grace", "clock"]);

const systemClock: DeadlineClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

function checkOptions(options: BodyDeadlineOptions): Required<BodyDeadlineOptions> {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot set a body deadline: options must be an object");
  }
  checkOptionKeys(options, OPTION_KEYS, "set a body deadline");
  const resolved = { ...DEFAULT_BODY_DEADLINE, clock: systemClock };
  for (const key of ["timeout", "minBytesPerSecond", "grace"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new RangeError(
        `Cannot set a body deadline: ${key} must be a non-negative number, got ${String(value)}`,
      );
    }
    resolved[key] = value;
  }
  if (options.clock !== undefined) resolved.clock = options.clock;
  return resolved;
}

/**
 * A body-read deadline: request bodies guarded by it must arrive in time and at a minimum rate.
 * A guarded stream fails with an {@linkcode HttpError} 408 (and cancels the original) once the
 * time spent waiting for the client's bytes passes `timeout`, or once, after `grace`, the bytes
 * received per second of waiting fall below `minBytesPerSecond`.
 *
 * Only time spent waiting on the client counts: a handler that reads the body late, or slowly,
 * does not make the client late. A body that is never read starts no timer.
 *
 * @example A client too slow for the deadline
 * ```ts
 * import {
 *   BodyDeadline,
 *   type BodyDeadlineOptions,
 *   DEFAULT_BODY_DEADLINE,
 *   type DeadlineClock,
 * } from "@pubkit/request";
 * import { HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_BODY_DEADLINE.timeout, 30_000);
 * const clock: DeadlineClock = {
 *   now: () => performance.now(),
 *   setTimeout: (callback, ms) => setTimeout(callback, ms),
 *   clearTimeout: (handle) => clearTimeout(handle as number),
 * };
 * const options: BodyDeadlineOptions = { timeout: 20, clock };
 * const deadline = new BodyDeadline(options);
 * const never = new ReadableStream<Uint8Array>(); // a client that sends nothing
 * await assert.rejects(
 *   new Response(deadline.stream(never)).arrayBuffer(),
 *   (e) => e instanceof HttpError && e.status === 408,
 * );
 * const request = deadline.request(new Request("http://localhost/", { method: "POST", body: "a=1" }));
 * assert.equal(await request.text(), "a=1");
 * ```
 */
export class BodyDeadline {
  readonly #options: Required<BodyDeadlineOptions>;

  /**
   * Creates a deadline.
   *
   * @param options Timeout, minimum rate, grace period and clock; see {@linkcode DEFAULT_BODY_DEADLINE}.
   * @throws {RangeError} For an unknown option or a negative or NaN number.
   * @throws {TypeError} When `options` is not an object.
   */
  constructor(options: BodyDeadlineOptions = {}) {
    this.#options = checkOptions(options);
  }

  /**
   * The same request with its body guarded; a request without a body is returned as is.
   * Method, URL, headers and abort signal are kept.
   *
   * @param request The incoming request.
   * @returns A request whose body fails with a 408 {@linkcode HttpError} when too slow.
   */
  request(request: Request): Request {
    if (request.body === null || request.bodyUsed) return request;
    return new Request(request, {
      body: this.stream(request.body),
      // @ts-ignore: `duplex` is required by the Fetch standard for stream bodies, missing in lib.dom
      duplex: "half",
    });
  }

  /**
   * Guards a body stream.
   *
   * @param body The body stream; it is locked and read by the returned stream.
   * @returns The guarded stream.
   * @throws {TypeError} When `body` is not a `ReadableStream`.
   */
  stream(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    if (!(body instanceof ReadableStream)) {
      throw new TypeError("Cannot set a body deadline: body must be a ReadableStream");
    }
    return guard(body, this.#options);
  }
}

function guard(
  body: ReadableStream<Uint8Array>,
  { timeout, minBytesPerSecond, grace, clock }: Required<BodyDeadlineOptions>,
): ReadableStream<Uint8Array> {
  const reader = byteReader(body);
  let waited = 0;
  let received = 0;
  let finished = false;

  function budget(): number {
    let left = timeout - waited;
    if (minBytesPerSecond > 0) {
      // The rate breaks when received < minBytesPerSecond * (waited - grace) / 1000.
      left = Math.min(left, grace + (received * 1000) / minBytesPerSecond - waited);
    }
    return left;
  }

  function tooSlow(): HttpError {
    const seconds = (waited / 1000).toFixed(1);
    const why = waited >= timeout
      ? `it took longer than ${timeout} ms`
      : `${received} bytes in ${seconds} s is below ${minBytesPerSecond} bytes per second`;
    return new HttpError(408, `Cannot read the request body: ${why}`, {
      headers: { connection: "close" },
    });
  }

  // A byte stream: a reader that brings its own buffer gets the bytes read straight into it, so
  // a large upload allocates no chunk per read (each was garbage that grew the heap).
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      const started = clock.now();
      // A view to fill, when both this stream's reader and the body's can take one.
      const request = reader.byob ? controller.byobRequest : null;
      const view = request?.view;
      const read = reader.read(
        view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : undefined,
      );
      read.catch(() => {}); // an expired read is cancelled, not awaited
      try {
        let result: ReadableStreamReadResult<Uint8Array> | "expired";
        for (;;) {
          const left = budget() - (clock.now() - started);
          if (left <= 0) {
            result = "expired";
            break;
          }
          let timer: unknown;
          // Both limits off must not become setTimeout(Infinity), which fires at once; a wait
          // longer than a timer can hold is re-armed when the timer fires.
          const expired = left === Infinity ? NEVER : new Promise<"expired">((resolve) => {
            timer = clock.setTimeout(() => resolve("expired"), Math.min(MAX_TIMER, left));
          });
          try {
            result = await Promise.race([read, expired]);
          } finally {
            if (timer !== undefined) clock.clearTimeout(timer);
          }
          if (result !== "expired") break;
        }
        waited += clock.now() - started;
        if (result === "expired") {
          const error = tooSlow();
          finished = true;
          reader.cancel(error).catch(() => {});
          controller.error(error);
          return;
        }
        if (result.done) {
          finished = true;
          controller.close();
          // A reader waiting with a buffer gets it back empty: the one it lent to the body's
          // reader when there was one, else its own.
          const pending = controller.byobRequest;
          if (request && result.value) request.respondWithNewView(result.value);
          else pending?.respond(0);
          return;
        }
        received += result.value.byteLength;
        if (request) request.respondWithNewView(result.value);
        else controller.enqueue(result.value);
      } catch (error) {
        finished = true;
        controller.error(error);
      }
    },
    cancel(reason) {
      if (finished) return;
      finished = true;
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

const CHUNK = 64 * 1024;

/**
 * Reads `body` into a given buffer when it is a byte stream (a request body from Deno), else
 * chunk by chunk; without a buffer, a byte stream is read into a new one.
 */
function byteReader(body: ReadableStream<Uint8Array>): {
  /** Whether `read()` fills the buffer given (else it ignores it). */
  byob: boolean;
  read(into?: Uint8Array): Promise<ReadableStreamReadResult<Uint8Array>>;
  cancel(reason: unknown): Promise<void>;
} {
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // not a byte stream
  }
  if (byob === undefined) {
    const reader = body.getReader();
    return {
      byob: false,
      // Empty chunks are skipped: a byte stream may not enqueue one.
      read: async () => {
        for (;;) {
          const result = await reader.read();
          if (result.done || result.value.byteLength > 0) return result;
        }
      },
      cancel: (reason) => reader.cancel(reason),
    };
  }
  const reader = byob;
  return {
    byob: true,
    read: (into) =>
      reader.read(into ?? new Uint8Array(CHUNK)) as Promise<ReadableStreamReadResult<Uint8Array>>,
    cancel: (reason) => reader.cancel(reason),
  };
}
