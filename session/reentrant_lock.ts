// Copyright 2025 the pubkit authors. MIT license.

import { type Clock, type WaitOptions, WaitQueue } from "@pubkit/async";
import { checkNumber, checkOptions } from "./_store_common.ts";
import { LockTimeoutError } from "./errors.ts";

/** Options for {@linkcode ReentrantLock}. */
export interface ReentrantLockOptions {
  /** Default acquire timeout in milliseconds. Defaults to `10_000`. */
  timeout?: number;
  /** Names the locked thing in error messages. */
  subject?: string;
  /** Time and timers of the acquire timeout (`@pubkit/async`). Defaults to `systemClock`. */
  clock?: Clock;
}

/**
 * One hold on a {@linkcode ReentrantLock}. Releasing it gives back exactly one
 * level of the owner's hold count; releasing twice does nothing.
 */
export interface ReentrantLockHold extends Disposable, AsyncDisposable {
  /** The owner that holds the lock. */
  readonly owner: unknown;
  /** Whether this hold was already released. */
  readonly released: boolean;
  /** Gives back this hold; idempotent. */
  release(): void;
}

const KNOWN = ["timeout", "subject", "clock"] as const;

/**
 * A lock owned by an explicit owner token, with a hold count for re-entry, FIFO
 * waiters, an acquire timeout and `{ signal }` cancellation.
 *
 * The owner is any value compared by identity (`===`), typically the object that
 * identifies a request chain, shared by a request and its internal redirects. The same
 * owner re-enters at once instead of deadlocking on itself; other owners wait in order
 * of arrival and give up with {@linkcode LockTimeoutError} after the timeout.
 *
 * @example Re-entry by the same owner, waiting by another
 * ```ts
 * import type { WaitOptions } from "@pubkit/async";
 * import { ReentrantLock, type ReentrantLockHold, type ReentrantLockOptions } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const options: ReentrantLockOptions = { timeout: 1000 };
 * const lock = new ReentrantLock(options);
 * const chain = {};
 * const outer: ReentrantLockHold = await lock.acquire(chain);
 * const inner = await lock.acquire(chain); // an internal redirect: no deadlock
 * assert.equal(lock.holdCount, 2);
 *
 * const wait: WaitOptions = { timeout: 1000, signal: AbortSignal.timeout(5000) };
 * const other = lock.acquire({}, wait);
 * inner.release();
 * outer.release();
 * (await other).release();
 * assert.equal(lock.locked, false);
 * ```
 */
export class ReentrantLock {
  #owner: unknown = undefined;
  #count = 0;
  #queue: WaitQueue<ReentrantLockHold, unknown>;
  #release = (): void => this.#releaseOne();

  /**
   * Creates an unlocked lock.
   *
   * @param options Default timeout, a subject for messages, and a clock.
   * @throws {RangeError} For an unknown option or a negative timeout.
   */
  constructor(options: ReentrantLockOptions = {}) {
    const action = "create ReentrantLock";
    checkOptions(options, KNOWN, action);
    const timeout = checkNumber(options.timeout ?? 10_000, "timeout", action);
    const subject = options.subject;
    this.#queue = new WaitQueue({
      timeout,
      timeoutError: (_owner, ms) => new LockTimeoutError(ms, { subject }),
      clock: options.clock,
    });
  }

  /** Whether some owner holds the lock. */
  get locked(): boolean {
    return this.#count > 0;
  }

  /** The current owner, or `undefined` when unlocked. */
  get owner(): unknown {
    return this.#count > 0 ? this.#owner : undefined;
  }

  /** How many times the current owner holds the lock (0 when unlocked). */
  get holdCount(): number {
    return this.#count;
  }

  /** How many acquisitions are waiting. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Acquires the lock now if it is free or already held by `owner`.
   *
   * @param owner The owner token, compared by identity.
   * @returns The hold, or `undefined` if another owner holds the lock or others wait.
   * @throws {TypeError} If `owner` is `undefined` or `null`.
   */
  tryAcquire(owner: unknown): ReentrantLockHold | undefined {
    checkOwner(owner);
    return this.#free(owner) ? this.#grant(owner) : undefined;
  }

  /**
   * Acquires the lock for `owner`, waiting in FIFO order behind other owners.
   *
   * @param owner The owner token, compared by identity.
   * @param options Timeout and abort signal.
   * @returns A hold to release (or dispose) when done.
   * @throws {LockTimeoutError} If the lock stays held past the timeout.
   * @throws {TypeError} If `owner` is `undefined` or `null`.
   * @throws {RangeError} For a negative timeout.
   * @throws {unknown} `signal.reason` if the signal aborts first.
   */
  acquire(owner: unknown, options?: WaitOptions): Promise<ReentrantLockHold> {
    if (owner === undefined || owner === null) {
      return Promise.reject(new TypeError(NO_OWNER));
    }
    if (options !== undefined) {
      if (options.signal?.aborted) return Promise.reject(options.signal.reason);
      if (!(options.timeout === undefined || options.timeout >= 0)) {
        return Promise.reject(new RangeError(`Cannot acquire lock: timeout is ${options.timeout}`));
      }
    }
    if (this.#free(owner)) return Promise.resolve(this.#grant(owner));
    return this.#queue.wait(owner, options);
  }

  /** Whether `owner` gets the lock at once: it holds it, or nobody holds it nor waits. */
  #free(owner: unknown): boolean {
    return this.#count === 0 ? this.#queue.length === 0 : this.#owner === owner;
  }

  #grant(owner: unknown): ReentrantLockHold {
    this.#owner = owner;
    this.#count++;
    return new Hold(owner, this.#release);
  }

  #releaseOne(): void {
    if (--this.#count > 0) return;
    this.#owner = undefined;
    // Hand over directly so that no newcomer can barge ahead of the queue.
    const head = this.#queue.head;
    if (head !== undefined) this.#queue.grant(this.#grant(head.owner));
  }
}

const NO_OWNER = "Cannot acquire lock: the owner token is undefined or null";

function checkOwner(owner: unknown): void {
  if (owner === undefined || owner === null) throw new TypeError(NO_OWNER);
}

// A class, not an object literal with a getter and computed symbol keys: V8 builds those slowly
// (dictionary-mode objects), and a hold is made on every acquire.
class Hold implements ReentrantLockHold {
  readonly owner: unknown;
  #release: (() => void) | undefined;

  constructor(owner: unknown, release: () => void) {
    this.owner = owner;
    this.#release = release;
  }

  get released(): boolean {
    return this.#release === undefined;
  }

  release(): void {
    const release = this.#release;
    if (release === undefined) return;
    this.#release = undefined;
    release();
  }

  [Symbol.dispose](): void {
    this.release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
