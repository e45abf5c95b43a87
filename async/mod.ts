/**
 * `@pubkit/async`: the waiting and timing mechanisms pubkit's members share — the one
 * {@linkcode Clock} (real: {@linkcode systemClock}; for tests: {@linkcode FakeClock}) and the
 * one {@linkcode WaitQueue} (first-in-first-out, a timeout on every wait, `{ signal }`, a bound)
 * that pools and locks are built on. This entry depends on nothing; `./telemetry` holds what the
 * members share to report to OpenTelemetry (the API is loaded only when telemetry is on).
 *
 * @example Waiting with a fake clock
 * ```ts
 * import { FakeClock, WaitQueue } from "@pubkit/async";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const queue = new WaitQueue<number>({
 *   timeout: 100,
 *   timeoutError: (_owner, ms) => new Error(`timed out after ${ms} ms`),
 *   clock,
 * });
 * const waiting = queue.wait(undefined);
 * const outcome = waiting.catch((error: Error) => error.message);
 * await clock.tick(100);
 * assert.equal(await outcome, "timed out after 100 ms");
 * ```
 *
 * @module
 */

export type { Clock, TimerHandle } from "./clock.ts";
export { systemClock } from "./system_clock.ts";
export { FakeClock } from "./fake_clock.ts";
export { type Waiter, type WaitOptions, WaitQueue, type WaitQueueOptions } from "./wait_queue.ts";
