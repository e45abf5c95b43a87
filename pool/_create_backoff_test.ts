import assert from "node:assert/strict";
import { CreateBackoff } from "./_create_backoff.ts";

Deno.test("CreateBackoff doubles per failure up to the bound, once per epoch, and ends on success", () => {
  const backoff = new CreateBackoff(100, 350);
  assert.equal(backoff.remaining(0), 0);
  const epoch = backoff.epoch;
  const boom = new Error("down");
  assert.equal(backoff.failed(boom, epoch, 1000), true, "the first failure of a streak");
  assert.equal(backoff.remaining(1000), 100);
  // A create started in the same epoch fails too: it does not lengthen the back-off.
  assert.equal(backoff.failed(new Error("also down"), epoch, 1010), false);
  assert.equal(backoff.remaining(1010), 90);
  assert.equal(backoff.streak, 1);
  assert.match(String(backoff.lastError), /also down/);
  assert.equal(backoff.failed(boom, backoff.epoch, 2000), false);
  assert.equal(backoff.remaining(2000), 200);
  backoff.failed(boom, backoff.epoch, 3000);
  assert.equal(backoff.remaining(3000), 350, "bounded by maxDelay");
  assert.equal(backoff.streak, 3);
  assert.equal(backoff.succeeded(), 3);
  assert.equal(backoff.remaining(3000), 0);
  assert.equal(backoff.streak, 0);
  assert.equal(backoff.succeeded(), 0);
});
