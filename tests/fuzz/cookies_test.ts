/** Fuzz target: `Cookie` headers (`parseCookies`) and `Set-Cookie` values (`serializeCookie`). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseCookies, serializeCookie } from "@pubkit/request";
import { anyString, checkLinear, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal inputs. */
export const regressions: readonly string[] = [
  "__proto__=x; constructor=y",
  "a=%E0%A4%A",
  'a="""; b',
];

const header = fc.oneof(
  anyString(),
  fc.array(fc.tuple(anyString(20), anyString(30)), { maxLength: 30 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("; ")),
);

Deno.test("fuzz: parseCookies() never throws and returns a null-prototype record", async (t) => {
  const target = (input: string) => {
    const cookies = parseCookies(input);
    assert.equal(Object.getPrototypeOf(cookies), null);
  };
  // parseCookies is documented never to throw: no refusal is allowed, not even a 4xx.
  const never = { allowed: () => false };
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input, never);
  });
  await t.step("generated headers", async () => {
    await fc.assert(
      fc.asyncProperty(header, (input) => checkTotal(target, input, never)),
      params(500),
    );
  });
  await t.step("linear in the header length", async () => {
    await checkLinear(
      "parseCookies (pairs)",
      (n) => "a=b; ".repeat(n / 5),
      (input) => parseCookies(input as string),
    );
    await checkLinear(
      "parseCookies (escapes)",
      (n) => "a=" + "%C3%A9".repeat(n / 6),
      (input) => parseCookies(input as string),
    );
    await checkLinear(
      "parseCookies (no =)",
      (n) => ";".repeat(n),
      (input) => parseCookies(input as string),
    );
  });
});

Deno.test("fuzz: serializeCookie() gives one Headers-safe line or a TypeError", async (t) => {
  const target = (input: string) => {
    const [name, value] = [input.slice(0, input.length >> 1), input.slice(input.length >> 1)];
    for (const [n, v] of [["sid", input], [name, value]]) {
      let line: string;
      try {
        line = serializeCookie(n, v);
      } catch (error) {
        if (error instanceof TypeError) continue;
        throw error;
      }
      new Headers().append("set-cookie", line); // throws on CR, LF, NUL, non-Latin-1
      assert.equal(parseCookies(line.split(";")[0])[n], v.toWellFormed());
    }
  };
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input);
  });
  await t.step("generated names and values", async () => {
    await fc.assert(
      fc.asyncProperty(anyString(), (input) => checkTotal(target, input)),
      params(500),
    );
  });
});
