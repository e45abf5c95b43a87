import assert from "node:assert/strict";
import { DEFAULT_FORM_LIMITS, resolveFormLimits } from "./form_limits.ts";

Deno.test("DEFAULT_FORM_LIMITS has the documented values", () => {
  assert.deepEqual({ ...DEFAULT_FORM_LIMITS }, {
    maxUrlEncodedBytes: 1024 * 1024,
    maxMultipartBytes: 32 * 1024 * 1024,
    maxFileBytes: 10 * 1024 * 1024,
    maxFieldValueBytes: 1024 * 1024,
    maxFields: 1000,
    maxFiles: 20,
    maxFieldNameBytes: 1024,
    maxPartHeaderBytes: 16 * 1024,
  });
  assert.ok(Object.isFrozen(DEFAULT_FORM_LIMITS));
});

Deno.test("resolveFormLimits() fills in defaults and freezes the result", () => {
  const limits = resolveFormLimits({ maxFields: 5, maxFileBytes: Infinity, maxFiles: undefined });
  assert.equal(limits.maxFields, 5);
  assert.equal(limits.maxFileBytes, Infinity);
  assert.equal(limits.maxFiles, 20);
  assert.ok(Object.isFrozen(limits));
  assert.deepEqual(resolveFormLimits(), DEFAULT_FORM_LIMITS);
});

Deno.test("resolveFormLimits() refuses unknown keys and bad values", async (t) => {
  for (
    const [label, limits] of [
      ["an unknown key", { maxField: 1 }],
      ["__proto__ as a key", JSON.parse('{"__proto__": 1}')],
      ["a negative value", { maxFields: -1 }],
      ["a fraction", { maxFields: 1.5 }],
      ["NaN", { maxFields: NaN }],
      ["a string", { maxFields: "10" }],
    ] as const
  ) {
    await t.step(label, () => {
      assert.throws(() => resolveFormLimits(limits as never), RangeError);
    });
  }
  await t.step("not an object", () => {
    assert.throws(() => resolveFormLimits(null as never), TypeError);
    assert.throws(() => resolveFormLimits(5 as never), TypeError);
  });
});
