/**
 * {@linkcode BodyBudget}: the request body bytes one application holds in memory at once.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/** Options for {@linkcode BodyBudget}. */
export interface BodyBudgetOptions {
  /** The most body bytes held at once, across all requests in flight; 64 MiB by default. */
  maxBytes?: number;
  /** The `Retry-After` of the 503 past the budget, in seconds; 1 by default. */
  retryAfter?: number;
}

/** Counts bytes taken from and given back to a {@linkcode BodyBudget} (one request's share). */
export interface ByteBudget {
  /**
   * Counts `bytes` more held in memory.
   *
   * @throws {HttpError} 503 with `Retry-After` when the budget would be passed.
   */
  take(bytes: number): void;
  /** Gives back `bytes` no longer held in memory (spooled to disk, or the request ended). */
  give(bytes: number): void;
}

/**
 * The request body bytes an application buffers in memory across all requests in flight (form
 * fields and small uploads; big uploads are spooled to disk and not counted). A read that would
 * pass the budget fails with a 503 and `Retry-After`, so a burst of large bodies cannot exhaust
 * the memory. One per application; each request gives its bytes back when it ends.
 *
 * @example
 * ```ts
 * import { BodyBudget, HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const budget = new BodyBudget({ maxBytes: 100 });
 * budget.take(80);
 * assert.throws(
 *   () => budget.take(30),
 *   (e) => e instanceof HttpError && e.status === 503 && e.headers.get("retry-after") === "1",
 * );
 * budget.give(80);
 * budget.take(30);
 * assert.equal(budget.held, 30);
 * ```
 */
export class BodyBudget implements ByteBudget {
  /** The most bytes held at once. */
  readonly maxBytes: number;
  #retryAfter: number;
  #held = 0;

  /**
   * Creates a budget.
   *
   * @param options The size and the retry delay.
   * @throws {RangeError} For a size or delay that is not a non-negative number.
   */
  constructor(options: BodyBudgetOptions = {}) {
    const { maxBytes = 64 * 1024 * 1024, retryAfter = 1 } = options;
    if (!(maxBytes >= 0) || !Number.isSafeInteger(maxBytes)) {
      throw new RangeError(`Cannot create a body budget: maxBytes ${maxBytes} is invalid`);
    }
    if (!(retryAfter >= 0) || !Number.isSafeInteger(retryAfter)) {
      throw new RangeError(`Cannot create a body budget: retryAfter ${retryAfter} is invalid`);
    }
    this.maxBytes = maxBytes;
    this.#retryAfter = retryAfter;
  }

  /** The bytes held now. */
  get held(): number {
    return this.#held;
  }

  /**
   * Counts `bytes` more held in memory.
   *
   * @param bytes The count.
   * @throws {HttpError} 503 with `Retry-After` when the budget would be passed.
   */
  take(bytes: number): void {
    if (this.#held + bytes > this.maxBytes) {
      throw new HttpError(
        503,
        "Cannot read the request body now: the server holds as many request bodies as it may " +
          `(${this.maxBytes} bytes); retry later`,
        { headers: { "retry-after": String(this.#retryAfter) } },
      );
    }
    this.#held += bytes;
  }

  /**
   * Gives back `bytes`.
   *
   * @param bytes The count.
   */
  give(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }
}
