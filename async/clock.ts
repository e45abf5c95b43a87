/**
 * {@linkcode Clock}: the one time source and timer interface of pubkit's members, injectable
 * so that timer-driven behaviour is tested with a `FakeClock` instead of sleeps.
 *
 * @module
 */

/** An opaque timer handle returned by {@linkcode Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time and timers, so that timer-driven behaviour can be tested with a fake clock
 * (`FakeClock`). The real one is `systemClock`.
 *
 * @example A clock of one's own
 * ```ts
 * import type { Clock } from "@pubkit/async";
 * import assert from "node:assert/strict";
 *
 * const frozen: Clock = {
 *   now: () => 1000,
 *   setTimeout: (callback, delay) => setTimeout(callback, delay),
 *   clearTimeout: (handle) => clearTimeout(handle as number),
 * };
 * assert.equal(frozen.now(), 1000);
 * ```
 */
export interface Clock {
  /**
   * The current time.
   *
   * @returns Milliseconds since the Unix epoch for `systemClock`; since an arbitrary, fixed
   *   origin for others.
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
