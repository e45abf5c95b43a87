/**
 * The time source and timers a {@linkcode Pool} uses, injectable for tests.
 *
 * @module
 */

/** An opaque timer handle returned by {@linkcode Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time and timers, so that timer-driven behaviour can be tested with a fake clock
 * (`FakeClock` in `@pubkit/pool/fake-clock`).
 *
 * @example The system clock
 * ```ts
 * import { systemClock } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const handle = systemClock.setTimeout(() => {}, 1000);
 * systemClock.clearTimeout(handle);
 * assert.ok(systemClock.now() > 0);
 * ```
 */
export interface Clock {
  /**
   * The current time.
   *
   * @returns Milliseconds since an arbitrary, fixed origin.
   */
  now(): number;
  /**
   * Calls `callback` once after `delay` milliseconds.
   *
   * @param callback What to run.
   * @param delay Milliseconds to wait.
   * @returns A handle for {@linkcode Clock.clearTimeout}.
   */
  setTimeout(callback: () => void, delay: number): TimerHandle;
  /**
   * Cancels a timer; unknown or fired handles are ignored.
   *
   * @param handle A handle from {@linkcode Clock.setTimeout}.
   */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Lets the process exit while this timer is pending (for background housekeeping).
   * Optional: fake clocks need not implement it.
   *
   * @param handle A handle from {@linkcode Clock.setTimeout}.
   */
  unref?(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and the global timers.
 *
 * @example Measuring elapsed time
 * ```ts
 * import { systemClock } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const start = systemClock.now();
 * assert.ok(systemClock.now() >= start);
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  setTimeout: (callback: () => void, delay: number): TimerHandle => setTimeout(callback, delay),
  clearTimeout: (handle: TimerHandle): void => clearTimeout(handle as number),
  unref: (handle: TimerHandle): void => Deno.unrefTimer(handle as number),
});
