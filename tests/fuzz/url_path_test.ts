/** Fuzz target: URL paths through the publisher's resolver. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Publisher, type Route } from "@pubkit/publisher";
import { anyString, checkLinear, checkTotal, DANGEROUS, params } from "./_fuzz.ts";

/** Shrunk counterexamples, kept as literal inputs. */
export const regressions: readonly string[] = [
  "/%2e%2e/%2e%2e/etc/passwd",
  "/_config",
  "/.env",
  "/index/..%5c..%5c",
  "/%EF%BC%8E%EF%BC%8E/x",
  "/a/%00",
];

const ROOT = new URL("../../publisher/testdata/root/", import.meta.url);

/** A path (absolute) from any string: a raw path, an encoded one, or segments. */
const path = fc.oneof(
  anyString().map((s) => "/" + s),
  fc.array(anyString(40), { maxLength: 70 }).map((segments) => "/" + segments.join("/")),
  anyString().map((s) => "/" + encodeURIComponent(s.toWellFormed())),
  anyString(),
);

function checkRoute(route: Route | undefined): void {
  if (route === undefined) return;
  for (const part of [...route.module.split("/"), ...route.name.split(".")]) {
    assert.ok(
      !part.startsWith("_") && !part.startsWith("."),
      `hidden name reached: ${route.module}#${route.name}`,
    );
  }
}

Deno.test("fuzz: publisher.resolve() ends every path in a route, undefined or a 4xx", async (t) => {
  const publisher = await Publisher.create({ root: ROOT });
  try {
    const target = (input: string) => checkRoute(publisher.resolve(input));
    await t.step("regressions and dangerous seeds", async () => {
      for (const input of [...regressions, ...DANGEROUS.map((s) => "/" + s)]) {
        await checkTotal(target, input);
      }
    });
    await t.step("generated paths", async () => {
      await fc.assert(fc.asyncProperty(path, (input) => checkTotal(target, input)), params(300));
    });
    await t.step("linear in the path length", async () => {
      await checkLinear(
        "publisher.resolve",
        (n) => "/" + "a/".repeat(n / 2),
        (input) => publisher.resolve(input as string),
      );
      await checkLinear(
        "publisher.resolve (one segment)",
        (n) => "/" + "%41".repeat(n / 3),
        (input) => publisher.resolve(input as string),
      );
    });
  } finally {
    await publisher.close();
  }
});
