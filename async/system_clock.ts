/**
 * {@linkcode systemClock}: the real {@linkcode Clock}.
 *
 * @module
 */

import type { Clock, TimerHandle } from "./clock.ts";

/**
 * The real clock: `Date.now()` and the global timers.
 *
 * @example Measuring elapsed time
 * ```ts
 * import { systemClock } from "@pubkit/async";
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
