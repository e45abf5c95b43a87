import assert from "node:assert/strict";
import * as posix from "node:path/posix";
import { fileURLToPath, pathToFileURL } from "node:url";
import fc from "fast-check";
import { dirname, fromFileUrl, join, relative, resolve, toFileUrl } from "./_fs_path.ts";

const part = fc.oneof(
  fc.constantFrom("a", "b", ".", "..", "", "x y", "%", "#", "?", "é", "\\", "a\nb", "\t", "%2F"),
  fc.string({ minLength: 1, maxLength: 4 }).filter((s) => !s.includes("\0")),
);
const absolute = fc.array(part, { maxLength: 6 }).map((parts) => "/" + parts.join("/"));
const relativePath = fc.array(part, { minLength: 1, maxLength: 4 }).map((p) => p.join("/"));

Deno.test({
  name: "the path helpers answer as node:path and node:url on POSIX (property)",
  ignore: Deno.build.os === "windows",
  fn: () => {
    fc.assert(
      fc.property(absolute, absolute, relativePath, (a, b, rel) => {
        // Without node:path's trailing separator, which no caller passes or needs.
        assert.equal(join(a, rel), posix.join(a, rel).replace(/(.)\/$/, "$1"));
        assert.equal(resolve(a, rel), posix.resolve(a, rel));
        assert.equal(resolve(a, b), posix.resolve(a, b));
        assert.equal(dirname(a), posix.dirname(posix.normalize(a).replace(/(.)\/$/, "$1")));
        assert.equal(relative(a, b), posix.relative(a, b));
        // The same file both ways (the spellings differ: `[` is escaped by node:url only).
        const path = posix.resolve(a);
        assert.equal(fileURLToPath(toFileUrl(a)), path);
        assert.equal(fromFileUrl(pathToFileURL(a)), fileURLToPath(pathToFileURL(a)));
        assert.equal(toFileUrl(a).href, new URL(toFileUrl(a).href).href);
      }),
      { numRuns: 5_000 },
    );
  },
});

Deno.test("fromFileUrl() refuses what is not a local file URL", () => {
  assert.throws(() => fromFileUrl("http://example.com/x"), TypeError);
  assert.throws(() => fromFileUrl("file:///a%2Fb"), TypeError);
  if (Deno.build.os !== "windows") assert.throws(() => fromFileUrl("file://host/x"), TypeError);
});
