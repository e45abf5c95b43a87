/** Fuzz target: signed session ids in the `Cookie` header (`SessionManager.open`). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { anyString, checkLinear, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal cookie values. */
export const regressions: readonly string[] = [
  ".",
  "a".repeat(43) + ".",
  "a".repeat(43) + "." + "A".repeat(43),
  "a".repeat(43) + "." + "=".repeat(43),
  "%00",
];

const SECRET = "a fuzzing secret of at least thirty-two characters";

/** A value shaped like a signed id more often than chance would give. */
const cookieValue = fc.oneof(
  anyString(),
  fc.tuple(
    fc.string({ unit: fc.constantFrom(..."AZaz09-_+/=."), maxLength: 60 }),
    fc.string({ unit: fc.constantFrom(..."AZaz09-_+/=."), maxLength: 60 }),
  )
    .map(([id, mac]) => `${id}.${mac}`),
  fc.tuple(fc.base64String({ minLength: 44, maxLength: 44 }), fc.base64String({ maxLength: 48 }))
    .map(([id, mac]) => `${id.slice(0, 43)}.${mac}`),
);

Deno.test("fuzz: SessionManager.open() never adopts a forged id and never throws on a cookie", async (t) => {
  await using manager = new SessionManager({ store: new MemoryStore(), secrets: [SECRET] });
  const target = async (value: string) => {
    const headers = new Headers();
    try {
      headers.set("cookie", `sid=${value}`);
    } catch {
      return; // not a header a client could send
    }
    await using session = await manager.open(headers, { owner: {}, lock: false });
    assert.equal(session.isNew, true, "a forged cookie was adopted");
  };
  const never = { allowed: () => false };
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input, never);
  });
  await t.step("generated cookie values", async () => {
    await fc.assert(
      fc.asyncProperty(cookieValue, (input) => checkTotal(target, input, never)),
      params(300),
    );
  });
  await t.step("a genuine id is adopted (the property above can fail)", async () => {
    const owner = {};
    let cookie: string;
    {
      await using first = await manager.open(new Headers(), { owner });
      first.set("n", 1);
      const { name, value } = first.cookie()!;
      cookie = `${name}=${value}`;
    }
    await using again = await manager.open(new Headers({ cookie }), { owner: {}, lock: false });
    assert.equal(again.isNew, false);
  });
  await t.step("linear in the cookie length", async () => {
    await checkLinear(
      "SessionManager.open",
      (n) => "a".repeat(n),
      (input) => target(input as string),
    );
    await checkLinear(
      "SessionManager.open (dots)",
      (n) => "a.".repeat(n / 2),
      (input) => target(input as string),
    );
  });
});
