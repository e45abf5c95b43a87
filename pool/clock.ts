/**
 * The time source and timers a `Pool` uses, injectable for tests.
 *
 * @module
 */

/** An opaque timer handle returned by {@linkcode Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time and timers, so that timer-driven behaviour can be tested with a fake clock
 * (`FakeClock` in `@pubkit/pool/fake-clock`). The real one is `systemClock`.
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
