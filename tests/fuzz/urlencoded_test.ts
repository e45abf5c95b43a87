/** Fuzz target: `application/x-www-form-urlencoded` bodies, whole and in any chunking. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HttpError } from "@pubkit/request";
import { parseForm, parseUrlEncoded } from "@pubkit/request/body";
import { anyString, checkLinear, checkTotal, chunked, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal inputs. */
export const regressions: readonly string[] = [
  "__proto__=1&__proto__=2",
  "a=%E2%82",
  "%=%",
  "+=+&&&=",
];

const body = fc.oneof(
  anyString(),
  fc.array(fc.tuple(anyString(30), anyString(60)), { maxLength: 40 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join("&")),
  fc.uint8Array({ maxLength: 500 }).map((bytes) => new TextDecoder().decode(bytes)),
);

async function viaForm(bytes: Uint8Array, cuts: number[]) {
  const request = new Request("http://localhost/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: chunked(bytes, cuts),
    // @ts-ignore: duplex is required for stream bodies
    duplex: "half",
  });
  return await parseForm(request);
}

Deno.test("fuzz: urlencoded bodies end in fields or a 4xx, the same in any chunking", async (t) => {
  const target = (input: string) => parseUrlEncoded(input);
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal(target, input);
  });
  await t.step("generated bodies", async () => {
    await fc.assert(fc.asyncProperty(body, (input) => checkTotal(target, input)), params(500));
  });
  await t.step("chunked through parseForm(): same result as whole", async () => {
    const cuts = fc.array(fc.nat(), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(body, cuts, async (input, points) => {
        const bytes = new TextEncoder().encode(input);
        let whole: unknown;
        try {
          whole = [...parseUrlEncoded(bytes)];
        } catch (error) {
          whole = (error as Error).message;
        }
        let parts: unknown;
        await checkTotal(async () => {
          try {
            parts = [...await viaForm(bytes, points)];
          } catch (error) {
            parts = (error as Error).message;
            throw error;
          }
        }, input);
        assert.deepEqual(parts, whole);
      }),
      params(200),
    );
  });
  await t.step("linear in the body length", async () => {
    const run = (input: unknown) => parseUrlEncoded(input as string, { maxFields: Infinity });
    await checkLinear("parseUrlEncoded (pairs)", (n) => "ab=cd&".repeat(n / 6), run);
    await checkLinear("parseUrlEncoded (escapes)", (n) => "a=" + "%E2%9C%93".repeat(n / 9), run);
    await checkLinear("parseUrlEncoded (separators)", (n) => "&".repeat(n), run);
  });
});

Deno.test("fuzz: a form's charset parameter is UTF-8 or US-ASCII, else a 415 naming it", async (t) => {
  const charset = fc.oneof(
    anyString(40),
    fc.constantFrom("utf-8", "UTF-8", '"utf-8"', "us-ascii", "utf8", "latin1", "iso-8859-1"),
    fc.constantFrom("utf-16", "Shift_JIS", "utf-8;x=1", '"a\\"b"', "", " utf-8", "utf-8 "),
  );
  const target = async (value: string) => {
    let request: Request;
    try {
      request = new Request("http://localhost/", {
        method: "POST",
        headers: { "content-type": `application/x-www-form-urlencoded; charset=${value}` },
        body: "a=1",
      });
    } catch {
      return; // not a header value: never reaches a server
    }
    try {
      const form = await parseForm(request);
      // Parsed as UTF-8, or not a form at all (a Content-Type that does not parse is left alone).
      assert.ok([undefined, "1"].includes(form.get("a") as string | undefined));
    } catch (error) {
      assert.ok(error instanceof HttpError && error.status === 415, String(error));
      assert.match(error.message, /^Cannot parse form: charset ".*" is not supported; send UTF-8$/);
      throw error; // a 4xx: the harness counts it as a typed refusal
    }
  };
  await t.step("regressions", async () => {
    for (const input of ["utf-8", "UTF-8", "latin1", '"utf-8"', ""]) {
      await checkTotal(target, input);
    }
  });
  await t.step("generated charsets", async () => {
    await fc.assert(fc.asyncProperty(charset, (input) => checkTotal(target, input)), params(500));
  });
});
