/**
 * {@linkcode WaitQueue}: callers waiting first-in-first-out for a value another caller hands
 * over, with a timeout on every wait, `{ signal }` cancellation and a bounded length.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";
import { systemClock } from "./system_clock.ts";

/**
 * Options of `new WaitQueue(options)`.
 *
 * @typeParam O What each waiter carries (an owner token, a stack for leak reports, ...).
 */
export interface WaitQueueOptions<O> {
  /**
   * Default longest wait in milliseconds (`>= 0`; `Infinity` waits without limit, which must
   * then be said explicitly).
   */
  timeout: number;
  /**
   * Builds the error a waiter is rejected with when its timeout passes. It is called while the
   * waiter is still queued (so `length` counts it) and must not change the queue.
   */
  timeoutError: (owner: O, timeout: number) => unknown;
  /** Most waiters at once; `wait()` beyond it rejects with `fullError`. Default `Infinity`. */
  maxLength?: number;
  /** Builds the error `wait()` rejects with when the queue is full. Needed with a finite `maxLength`. */
  fullError?: (length: number) => unknown;
  /** Time and timers. Default `systemClock`. */
  clock?: Clock;
}

/** Options of {@linkcode WaitQueue.prototype.wait}. */
export interface WaitOptions {
  /** Longest wait in milliseconds (`>= 0`, `Infinity` for none); default: the queue's. */
  timeout?: number;
  /** Stops waiting and rejects with `signal.reason` when aborted. */
  signal?: AbortSignal;
}

/**
 * A queued caller, as {@linkcode WaitQueue.prototype.head} shows it.
 *
 * @typeParam O What the waiter carries.
 */
export interface Waiter<O> {
  /** What the caller passed to `wait()`. */
  readonly owner: O;
  /** When it started waiting, on the queue's clock (milliseconds). */
  readonly since: number;
}

const MAX_DELAY = 2 ** 31 - 1;
const KNOWN = new Set(["timeout", "timeoutError", "maxLength", "fullError", "clock"]);

/** One waiter: a node of the queue's doubly linked list, and its own abort listener. */
class Node<T, O> implements Waiter<O> {
  prev: Node<T, O> | undefined = undefined;
  next: Node<T, O> | undefined = undefined;

  constructor(
    readonly queue: WaitQueue<T, O>,
    readonly owner: O,
    readonly since: number,
    readonly timeout: number,
    readonly deadline: number,
    readonly resolve: (value: T) => void,
    readonly reject: (reason: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** The `abort` listener: an object, so that a wait with a signal needs no closure. */
  handleEvent(): void {
    abandon(this as Node<unknown, unknown>);
  }
}

let abandon: (node: Node<unknown, unknown>) => void;

/**
 * Callers waiting first-in-first-out for a value of type `T` that another caller hands over
 * with {@linkcode WaitQueue.prototype.grant}: the building block of pools and locks.
 *
 * - Every wait is bounded: after its timeout it rejects with the caller-built `timeoutError`.
 *   The queue arms one timer for its earliest deadline, and only while someone waits.
 * - `{ signal }` rejects at once with `signal.reason` if already aborted, otherwise when it
 *   aborts; the listener is removed when the wait settles.
 * - At most `maxLength` callers wait; more are refused with the caller-built `fullError`.
 * - Enqueue, hand-over and cancellation take constant time (a linked list, no array shifts).
 *
 * @typeParam T What waiters receive.
 * @typeParam O What each waiter carries, e.g. an owner token that a lock grants the head to.
 *
 * @example A lock in a few lines: the owner waits, the holder hands over to the head
 * ```ts
 * import { WaitQueue } from "@pubkit/async";
 * import assert from "node:assert/strict";
 *
 * const queue = new WaitQueue<string, string>({
 *   timeout: 1000,
 *   timeoutError: (owner, ms) => new Error(`${owner} waited ${ms} ms`),
 * });
 * const bob = queue.wait("bob");
 * const carol = queue.wait("carol", { signal: AbortSignal.timeout(5000) });
 * assert.equal(queue.length, 2);
 * assert.equal(queue.head?.owner, "bob");
 * queue.grant(`lock for ${queue.head?.owner}`);
 * assert.equal(await bob, "lock for bob");
 * queue.grant("lock for carol");
 * assert.equal(await carol, "lock for carol");
 * assert.equal(queue.length, 0);
 * await assert.rejects(queue.wait("dave", { timeout: 0 }), /dave waited 0 ms/);
 * ```
 */
export class WaitQueue<T, O = undefined> {
  static {
    abandon = (node) => node.queue.#remove(node, node.signal!.reason);
  }

  #clock: Clock;
  #timeout: number;
  #maxLength: number;
  #timeoutError: (owner: O, timeout: number) => unknown;
  #fullError: ((length: number) => unknown) | undefined;
  #head: Node<T, O> | undefined = undefined;
  #tail: Node<T, O> | undefined = undefined;
  #length = 0;
  /** Whether deadlines never decrease from head to tail (all waits had the same timeout). */
  #sorted = true;
  #timer: TimerHandle = undefined;
  #armedAt = Infinity;
  #onTimer = (): void => this.#expire();

  /**
   * Makes an empty queue.
   *
   * @param options The default timeout, the error builders, the bound and the clock.
   * @throws {RangeError} For an unknown option, a negative timeout or maxLength, or a finite
   *   `maxLength` without `fullError`.
   * @throws {TypeError} For a missing `timeoutError` or a clock without timers.
   */
  constructor(options: WaitQueueOptions<O>) {
    for (const key of Object.keys(options ?? {})) {
      if (!KNOWN.has(key)) throw new RangeError(`Cannot create WaitQueue: unknown option "${key}"`);
    }
    const { timeout, timeoutError, maxLength = Infinity, fullError, clock = systemClock } =
      options ?? {};
    if (!(timeout >= 0)) {
      throw new RangeError(`Cannot create WaitQueue: option "timeout" is ${String(timeout)}`);
    }
    if (!(maxLength >= 0)) {
      throw new RangeError(`Cannot create WaitQueue: option "maxLength" is ${String(maxLength)}`);
    }
    if (typeof timeoutError !== "function") {
      throw new TypeError(`Cannot create WaitQueue: option "timeoutError" must be a function`);
    }
    if (maxLength < Infinity && typeof fullError !== "function") {
      throw new RangeError(`Cannot create WaitQueue: a finite "maxLength" needs "fullError"`);
    }
    if (typeof clock?.setTimeout !== "function" || typeof clock.clearTimeout !== "function") {
      throw new TypeError(
        "Cannot create WaitQueue: clock needs now(), setTimeout(), clearTimeout()",
      );
    }
    this.#timeout = timeout;
    this.#timeoutError = timeoutError;
    this.#maxLength = maxLength;
    this.#fullError = fullError;
    this.#clock = clock;
  }

  /** How many callers wait. */
  get length(): number {
    return this.#length;
  }

  /** The longest waiter, the one {@linkcode WaitQueue.prototype.grant} serves next. */
  get head(): Waiter<O> | undefined {
    return this.#head;
  }

  /**
   * Queues a caller until {@linkcode WaitQueue.prototype.grant} hands it a value.
   *
   * @param owner What the waiter carries; {@linkcode WaitQueue.prototype.head} shows it.
   * @param options `timeout` to override the queue's, `signal` to stop waiting.
   * @returns The granted value.
   * @throws {unknown} The `timeoutError` after the timeout, `signal.reason` on abort, the
   *   `fullError` when `maxLength` callers already wait, or what `refuse()` gives.
   * @throws {RangeError} For a negative or NaN timeout.
   */
  wait(owner: O, options?: WaitOptions): Promise<T> {
    let timeout = this.#timeout;
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      signal = options.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      if (options.timeout !== undefined) {
        timeout = options.timeout;
        if (!(timeout >= 0)) {
          return Promise.reject(
            new RangeError(`Cannot wait: option "timeout" is ${String(timeout)}`),
          );
        }
      }
    }
    if (this.#length >= this.#maxLength) return Promise.reject(this.#fullError!(this.#length));
    const now = this.#clock.now();
    const deadline = now + timeout;
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    const node = new Node(this, owner, now, timeout, deadline, resolve, reject, signal);
    const tail = this.#tail;
    if (tail === undefined) {
      this.#head = node;
    } else {
      tail.next = node;
      node.prev = tail;
      if (deadline < tail.deadline) this.#sorted = false;
    }
    this.#tail = node;
    this.#length++;
    if (deadline < this.#armedAt) this.#arm(deadline, now);
    if (signal !== undefined) signal.addEventListener("abort", node, { once: true });
    return promise;
  }

  /**
   * Hands `value` to the longest waiter, which leaves the queue.
   *
   * @param value What the waiter's promise resolves to.
   * @returns `false` if nobody waits (then `value` was not handed to anyone).
   */
  grant(value: T): boolean {
    const node = this.#head;
    if (node === undefined) return false;
    this.#unlink(node);
    node.resolve(value);
    return true;
  }

  /**
   * Rejects the longest waiter with `reason` (e.g. when closing).
   *
   * @param reason What its promise rejects with.
   * @returns `false` if nobody waits.
   */
  refuse(reason: unknown): boolean {
    const node = this.#head;
    if (node === undefined) return false;
    this.#remove(node, reason);
    return true;
  }

  /**
   * Rejects the newest waiter with `reason`: the one to refuse first when not all can be served.
   *
   * @param reason What its promise rejects with.
   * @returns `false` if nobody waits.
   */
  refuseNewest(reason: unknown): boolean {
    const node = this.#tail;
    if (node === undefined) return false;
    this.#remove(node, reason);
    return true;
  }

  #remove(node: Node<T, O>, reason: unknown): void {
    this.#unlink(node);
    node.reject(reason);
  }

  #unlink(node: Node<T, O>): void {
    const { prev, next } = node;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    if (--this.#length === 0) {
      this.#sorted = true;
      if (this.#timer !== undefined) {
        this.#clock.clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#armedAt = Infinity;
      }
    }
    if (node.signal !== undefined) node.signal.removeEventListener("abort", node);
  }

  #arm(deadline: number, now: number): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#armedAt = deadline;
    // Timers take at most 2^31 - 1 ms; a later deadline is re-armed when that one fires.
    this.#timer = this.#clock.setTimeout(this.#onTimer, Math.min(deadline - now, MAX_DELAY));
  }

  /** Rejects the waiters whose deadline passed and arms the timer for the next deadline. */
  #expire(): void {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = this.#clock.now();
    let next = Infinity;
    for (let node = this.#head; node !== undefined;) {
      const following = node.next;
      if (node.deadline <= now) {
        this.#remove(node, this.#timeoutError(node.owner, node.timeout));
      } else {
        if (node.deadline < next) next = node.deadline;
        // With sorted deadlines the first waiter still in time is the earliest one left.
        if (this.#sorted) break;
      }
      node = following;
    }
    if (next < Infinity) this.#arm(next, now);
  }
}
