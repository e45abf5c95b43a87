/**
 * The identity shared by a request and every internal redirect it makes.
 *
 * @module
 */

/** A cleanup callback; it may be async. */
export type Cleanup = () => void | Promise<void>;

/** Options for {@linkcode RequestChain}. */
export interface RequestChainOptions {
  /** Where a failing cleanup is reported; defaults to `console.error`. */
  onCleanupError?: (error: unknown) => void;
  /**
   * How long one cleanup may take, in ms, before it is reported as failed and the next one
   * runs (a cleanup that never settles must not keep a session lock held); 5000 by default.
   */
  cleanupTimeout?: number;
}

/**
 * The identity of a request chain: the original request and all its internal redirects share
 * one chain. It is the owner token for reentrant session locks (a redirect target re-enters the
 * lock its origin holds instead of deadlocking), and it owns the chain's cleanups.
 *
 * @example
 * ```ts
 * import {
 *   type Cleanup,
 *   RequestChain,
 *   type RequestChainOptions,
 * } from "@pubkit/request/internal";
 * import assert from "node:assert/strict";
 *
 * const order: number[] = [];
 * const failures: unknown[] = [];
 * const options: RequestChainOptions = { onCleanupError: (error) => failures.push(error) };
 * const chain = new RequestChain("req-1", options);
 * const first: Cleanup = () => void order.push(1);
 * chain.registerCleanup(first);
 * chain.registerCleanup(() => {
 *   throw new Error("reported, and the others still run");
 * });
 * chain.registerCleanup(() => void order.push(3));
 * await chain.runCleanups();
 * assert.deepEqual(order, [3, 1]);
 * assert.equal(failures.length, 1);
 * ```
 */
export class RequestChain {
  #id: string | (() => string);
  #cleanups: Cleanup[] = [];
  #ran: Promise<void> | undefined;
  #onCleanupError: (error: unknown) => void;
  #timeout: number;

  /**
   * Creates a chain.
   *
   * @param id The original request's id, or a function that makes it when first needed.
   * @param options Where cleanup failures go.
   */
  constructor(id: string | (() => string), options: RequestChainOptions = {}) {
    this.#id = id;
    this.#onCleanupError = options.onCleanupError ??
      ((error) => console.error(`[${this.id}] cleanup failed:`, error));
    this.#timeout = options.cleanupTimeout ?? 5000;
    if (!(this.#timeout > 0)) {
      throw new RangeError(`Cannot create a request chain: cleanupTimeout ${this.#timeout}`);
    }
  }

  /** The id of the original request, used in logs. */
  get id(): string {
    if (typeof this.#id === "function") this.#id = this.#id();
    return this.#id;
  }

  /** Whether cleanups are waiting to run (lets a server skip an await per request). */
  get hasCleanups(): boolean {
    return this.#cleanups.length > 0;
  }

  /**
   * Registers a cleanup that runs once the response is finished or the client went away.
   *
   * @param cleanup The callback.
   * @throws {TypeError} When `cleanup` is not a function.
   */
  registerCleanup(cleanup: Cleanup): void {
    if (typeof cleanup !== "function") {
      throw new TypeError("Cannot register cleanup: it is not a function");
    }
    if (this.#ran) {
      // The response is already finished: run it now rather than never.
      this.#runOne(cleanup);
      return;
    }
    this.#cleanups.push(cleanup);
  }

  /**
   * Runs the registered cleanups last in first out, each awaited; a failing one is reported
   * and the others still run. Runs once: later calls wait for that same run.
   *
   * @returns When every cleanup has settled.
   */
  runCleanups(): Promise<void> {
    return this.#ran ??= this.#runAll();
  }

  async #runAll(): Promise<void> {
    const cleanups = this.#cleanups;
    this.#cleanups = [];
    for (let i = cleanups.length - 1; i >= 0; i--) await this.#runOne(cleanups[i]);
  }

  async #runOne(cleanup: Cleanup): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const result = cleanup();
      // Only a cleanup that returns a promise can hang; a synchronous one costs no timer.
      if (result instanceof Promise) {
        await Promise.race([
          result,
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`A cleanup did not finish within ${this.#timeout} ms`)),
              this.#timeout,
            );
          }),
        ]);
      }
    } catch (error) {
      this.#onCleanupError(error);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
