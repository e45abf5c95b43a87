/** Fuzz target: query strings (`parseQuery` and `Req.query`). */
import fc from "fast-check";
import { Req } from "@pubkit/request";
import { parseQuery } from "@pubkit/request/body";
import { anyString, checkLinear, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal inputs. */
export const regressions: readonly string[] = [
  "?__proto__=1&constructor=2",
  "?a=%",
  "?%C3",
  "?a=%ED%A0%80",
];

const query = fc.oneof(
  anyString(),
  fc.array(fc.tuple(anyString(30), anyString(30)), { maxLength: 40 })
    .map((pairs) => "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&")),
);

Deno.test("fuzz: parseQuery() ends every query in fields or a 4xx", async (t) => {
  const target = (input: string) => parseQuery(input);
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input);
  });
  await t.step("generated queries", async () => {
    await fc.assert(fc.asyncProperty(query, (input) => checkTotal(target, input)), params(500));
  });
  await t.step("Req.query on URLs built from them", async () => {
    const viaReq = (input: string) => {
      let url: URL;
      try {
        url = new URL("http://localhost/p?" + input);
      } catch {
        return; // not a URL a server could receive
      }
      return new Req(new Request(url)).query;
    };
    await fc.assert(fc.asyncProperty(query, (input) => checkTotal(viaReq, input)), params(200));
  });
  await t.step("linear in the query length", async () => {
    const run = (input: unknown) => parseQuery(input as string, { maxFields: Infinity });
    await checkLinear("parseQuery (pairs)", (n) => "a=1&".repeat(n / 4), run);
    await checkLinear("parseQuery (escapes)", (n) => "a=" + "%C3%A9".repeat(n / 6), run);
    await checkLinear(
      "parseQuery (one key)",
      (n) => "k".repeat(n),
      (input) => parseQuery(input as string, { maxFieldNameBytes: Infinity }),
    );
  });
});
