/** Fuzz target: the header and redirect encoders (`checkHeader`, `Req.redirect`). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkHeader, Req } from "@pubkit/request";
import { anyString, checkLinear, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal inputs. */
export const regressions: readonly string[] = [
  "/a\r\nSet-Cookie: x=1",
  "/\ud800",
  "//evil.example/%0d%0a",
  "/%25%",
  "/\\evil.example",
  "\t//evil.example",
  "https:evil.example",
  "http://localhost@evil.example/",
  "java\nscript:alert(1)",
];

Deno.test("fuzz: checkHeader() accepts only what Headers accepts, else a TypeError", async (t) => {
  const target = (input: string) => {
    let value: string;
    try {
      value = checkHeader("X-Echo", input);
    } catch (error) {
      if (error instanceof TypeError) return;
      throw error;
    }
    new Headers().set("X-Echo", value); // a finding if it throws
  };
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input);
  });
  await t.step("generated values", async () => {
    await fc.assert(
      fc.asyncProperty(anyString(), (input) => checkTotal(target, input)),
      params(500),
    );
  });
});

Deno.test("fuzz: Req.redirect() sends a same-origin redirect or refuses with a 400, never a 500", async (t) => {
  const target = (input: string) => {
    const response = new Req(new Request("http://localhost/a/b")).redirect(input, 302);
    assert.equal(response.status, 302);
    const location = response.headers.get("location")!;
    new Headers().set("location", location);
    // What a browser does with the Location sent: it must stay on the site.
    assert.equal(new URL(location, "http://localhost/a/b").origin, "http://localhost", location);
    return response;
  };
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input);
  });
  await t.step("generated locations", async () => {
    await fc.assert(
      fc.asyncProperty(anyString(), (input) => checkTotal(target, input)),
      params(500),
    );
  });
  await t.step("linear in the location length", async () => {
    const run = (input: unknown) => checkHeader("Location", input as string);
    await checkLinear("checkHeader(Location) ascii", (n) => "/" + "a".repeat(n - 1), run);
    await checkLinear("checkHeader(Location) escapes", (n) => "/" + "%25".repeat(n / 3), run);
    await checkLinear("checkHeader(Location) unicode", (n) => "/" + "é".repeat(n / 2), run);
  });
});
