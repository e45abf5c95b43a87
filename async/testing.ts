/**
 * Test helpers for waiting code: {@linkcode watch} tells whether a promise settled yet.
 *
 * @module
 */

/** What {@linkcode watch} has seen of a promise so far. */
export interface Watched<T> {
  /** Whether the promise settled. */
  settled: boolean;
  /** What it resolved to. */
  value?: T;
  /** What it rejected with. */
  error?: unknown;
}

/**
 * Tracks whether a promise settled, and how, without leaving a rejection unhandled: a test
 * reads the state after advancing a `FakeClock` instead of awaiting a promise that may hang.
 *
 * @typeParam T What the promise resolves to.
 * @param promise The promise to watch.
 * @returns A state object, updated when the promise settles.
 *
 * @example A wait seen before and after its timeout
 * ```ts
 * import { FakeClock, WaitQueue } from "@pubkit/async";
 * import { watch } from "@pubkit/async/testing";
 * import assert from "node:assert/strict";
 *
 * const clock = new FakeClock();
 * const queue = new WaitQueue<string>({ timeout: 10, timeoutError: () => "late", clock });
 * const wait = watch(queue.wait(undefined));
 * await clock.tick(9);
 * assert.equal(wait.settled, false);
 * await clock.tick(1);
 * assert.deepEqual(wait, { settled: true, error: "late" });
 * ```
 */
export function watch<T>(promise: Promise<T>): Watched<T> {
  const state: Watched<T> = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error) => Object.assign(state, { settled: true, error }),
  );
  return state;
}
