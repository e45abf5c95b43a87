// Copyright 2025 the pubkit authors. MIT license.

import { LockTimeoutError } from "./lock_timeout_error.ts";

/** Options for {@linkcode ReentrantLock}. */
export interface ReentrantLockOptions {
  /** Default acquire timeout in milliseconds. Defaults to `10_000`. */
  timeout?: number;
  /** Names the locked thing in error messages. */
  subject?: string;
}

/** Options for {@linkcode ReentrantLock.prototype.acquire}. */
export interface AcquireOptions {
  /** Acquire timeout in milliseconds; overrides the lock's default. */
  timeout?: number;
  /** Cancels the wait; the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
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

interface Waiter {
  owner: unknown;
  resolve(hold: ReentrantLockHold): void;
  reject(reason: unknown): void;
  cleanup(): void;
}

const KNOWN_OPTIONS = new Set(["timeout", "subject"]);

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
 * import {
 *   type AcquireOptions,
 *   ReentrantLock,
 *   type ReentrantLockHold,
 *   type ReentrantLockOptions,
 * } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const options: ReentrantLockOptions = { timeout: 1000 };
 * const lock = new ReentrantLock(options);
 * const chain = {};
 * const outer: ReentrantLockHold = await lock.acquire(chain);
 * const inner = await lock.acquire(chain); // an internal redirect: no deadlock
 * assert.equal(lock.holdCount, 2);
 *
 * const wait: AcquireOptions = { timeout: 1000, signal: AbortSignal.timeout(5000) };
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
  #waiters: Waiter[] = [];
  #timeout: number;
  #subject: string | undefined;

  /**
   * Creates an unlocked lock.
   *
   * @param options Default timeout and a subject for messages.
   * @throws {RangeError} For an unknown option or a negative timeout.
   */
  constructor(options: ReentrantLockOptions = {}) {
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) {
        throw new RangeError(`Cannot create ReentrantLock: unknown option "${key}"`);
      }
    }
    this.#timeout = checkTimeout(options.timeout ?? 10_000, "create ReentrantLock");
    this.#subject = options.subject;
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
    return this.#waiters.length;
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
    if (this.#count > 0 && this.#owner === owner) return this.#grant(owner);
    if (this.#count === 0 && this.#waiters.length === 0) return this.#grant(owner);
    return undefined;
  }

  /**
   * Acquires the lock for `owner`, waiting in FIFO order behind other owners.
   *
   * @param owner The owner token, compared by identity.
   * @param options Timeout and abort signal.
   * @returns A hold to release (or dispose) when done.
   * @throws {LockTimeoutError} If the lock stays held past the timeout.
   * @throws {TypeError} If `owner` is `undefined` or `null`.
   * @throws {unknown} `signal.reason` if the signal aborts first.
   */
  acquire(owner: unknown, options: AcquireOptions = {}): Promise<ReentrantLockHold> {
    let timeout: number;
    try {
      checkOwner(owner);
      timeout = checkTimeout(options.timeout ?? this.#timeout, "acquire lock");
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.tryAcquire(owner);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        owner,
        resolve,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
        },
      };
      const remove = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        waiter.cleanup();
      };
      const onAbort = () => {
        remove();
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        remove();
        reject(new LockTimeoutError(timeout, { subject: this.#subject }));
      }, timeout);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  #grant(owner: unknown): ReentrantLockHold {
    this.#owner = owner;
    this.#count++;
    return new Hold(owner, () => this.#release());
  }

  #release(): void {
    this.#count--;
    if (this.#count > 0) return;
    this.#owner = undefined;
    const next = this.#waiters.shift();
    if (next) {
      // Hand over directly so that no newcomer can barge ahead of the queue.
      next.cleanup();
      next.resolve(this.#grant(next.owner));
    }
  }
}

function checkOwner(owner: unknown): void {
  if (owner === undefined || owner === null) {
    throw new TypeError("Cannot acquire lock: the owner token is undefined or null");
  }
}

function checkTimeout(timeout: number, action: string): number {
  if (!(timeout >= 0) || !Number.isFinite(timeout)) {
    throw new RangeError(`Cannot ${action}: timeout must be a finite number >= 0, got ${timeout}`);
  }
  return timeout;
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
