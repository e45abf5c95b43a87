/** The harness can fail: each kind of finding is caught. */
import assert from "node:assert/strict";
import { HttpError } from "@pubkit/request";
import { checkLinear, checkTotal } from "./_fuzz.ts";

Deno.test("fuzz harness: checkTotal() reports each kind of finding", async (t) => {
  await t.step("a 4xx HttpError is a typed refusal", async () => {
    await checkTotal(() => {
      throw new HttpError(400, "bad");
    }, "x");
  });
  await t.step("a TypeError is a finding", async () => {
    await assert.rejects(checkTotal(() => JSON.parse("{"), "x"), /finding/);
  });
  await t.step("a 5xx HttpError or Response is a finding", async () => {
    await assert.rejects(
      checkTotal(() => {
        throw new HttpError(500, "oops");
      }, "x"),
      /finding/,
    );
    await assert.rejects(checkTotal(() => new Response(null, { status: 502 }), "x"), /finding/);
  });
  await t.step("a change to Object.prototype is a finding", async () => {
    try {
      await assert.rejects(
        checkTotal(() => {
          (Object.prototype as Record<string, unknown>).polluted = 1;
        }, "x"),
        /finding/,
      );
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });
  await t.step("more than 100 ms on a small input is a finding", async () => {
    await assert.rejects(checkTotal(() => new Promise((r) => setTimeout(r, 150)), "x"), /took/);
  });
});

Deno.test("fuzz harness: checkLinear() reports quadratic time", async () => {
  const quadratic = (input: unknown) => {
    const text = input as string;
    let sum = 0;
    for (let i = 0; i < text.length; i += 64) {
      for (let j = i; j < text.length; j++) sum += text.charCodeAt(j);
    }
    return sum;
  };
  await assert.rejects(checkLinear("quadratic", (n) => "a".repeat(n), quadratic), /super-linear/);
  await checkLinear("linear", (n) => "a".repeat(n), (input) => (input as string).indexOf("b"));
});
