/**
 * {@linkcode FakeClock}: a manual {@linkcode Clock} for testing timer-driven behaviour
 * without sleeping.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Lets pending promise reactions and I/O callbacks run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A clock whose time only moves when {@linkcode FakeClock.prototype.tick} is called; due
 * timers then fire in order, with pending promise reactions settled after each.
 *
 * @example Firing a timer without waiting
 * ```ts
 * import { FakeClock } from "@pubkit/async";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * let fired = false;
 * clock.setTimeout(() => fired = true, 5000);
 * await clock.tick(4999);
 * assert.equal(fired, false);
 * await clock.tick(1);
 * assert.equal(fired, true);
 * assert.equal(clock.now(), 5000);
 * ```
 */
export class FakeClock implements Clock {
  #now: number;
  #timers = new Map<number, Timer>();
  #nextId = 1;

  /**
   * Makes a clock.
   *
   * @param start The initial time in milliseconds (default 0).
   */
  constructor(start = 0) {
    this.#now = start;
  }

  /**
   * The fake current time.
   *
   * @returns Milliseconds.
   */
  now(): number {
    return this.#now;
  }

  /**
   * Arms a fake timer.
   *
   * @param callback Runs when the clock reaches now + `delay`.
   * @param delay Milliseconds.
   * @returns The timer's handle.
   */
  setTimeout(callback: () => void, delay: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, delay), callback });
    return id;
  }

  /**
   * Disarms a fake timer.
   *
   * @param handle A handle from {@linkcode FakeClock.prototype.setTimeout}.
   */
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** How many timers are armed. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Advances time by `ms`, firing due timers in order and settling pending promise
   * reactions after each (and once at the start and end).
   *
   * @param ms Milliseconds to advance (default 0: just fire what is due).
   * @returns Resolves when the time has advanced.
   * @throws {RangeError} For a negative or non-finite `ms`.
   */
  async tick(ms = 0): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`Cannot tick: ${ms} is not a finite, non-negative duration`);
    }
    const target = this.#now + ms;
    await flush();
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.#timers.values()) {
        if (timer.at <= target && (next === undefined || timer.at < next.at)) next = timer;
      }
      if (next === undefined) break;
      this.#timers.delete(next.id);
      this.#now = next.at;
      next.callback();
      await flush();
    }
    this.#now = target;
    await flush();
  }
}
