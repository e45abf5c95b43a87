import assert from "node:assert/strict";
import { FakeClock } from "./fake_clock.ts";

Deno.test("FakeClock.tick() fires due timers in time order and settles promises between", async () => {
  const clock = new FakeClock(1000);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("b@300"), 300);
  clock.setTimeout(() => fired.push("a@100"), 100);
  const cancelled = clock.setTimeout(() => fired.push("never"), 200);
  clock.clearTimeout(cancelled);
  clock.setTimeout(() => {
    fired.push("c@300");
    // A promise reaction queued by a timer runs before the next timer fires.
    Promise.resolve().then(() => fired.push("c's reaction"));
    clock.setTimeout(() => fired.push("d@350"), 50);
  }, 300);
  assert.equal(clock.pending, 3);
  await clock.tick(300);
  assert.deepEqual(fired, ["a@100", "b@300", "c@300", "c's reaction"]);
  assert.equal(clock.now(), 1300);
  await clock.tick(50);
  assert.deepEqual(fired.at(-1), "d@350");
  assert.equal(clock.pending, 0);
  await assert.rejects(clock.tick(-1), RangeError);
});
