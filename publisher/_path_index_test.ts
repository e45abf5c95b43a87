import assert from "node:assert/strict";
import { PathIndex } from "./_path_index.ts";

Deno.test("PathIndex finds exactly the paths it was given, whatever their number per length", () => {
  for (const count of [1, 8, 9, 100]) {
    // `count` paths of one length (scanned up to 8, a Map past that), and a few of others.
    const paths = Array.from({ length: count }, (_, i) => `/p${String(i).padStart(3, "0")}`);
    const index = new PathIndex([...paths, "/", "/hello/"].map((path) => [path, path] as const));
    for (const path of [...paths, "/", "/hello/"]) {
      // A string made at run time, as a request path is: equal, not the same literal.
      assert.equal(index.get([...path].join("")), path);
    }
    for (const absent of ["", "/p", "/p99", "/q000", "/p0000", "/hello", "/P000"]) {
      assert.equal(index.get(absent), undefined, `${absent} (${count} paths)`);
    }
  }
});

Deno.test("PathIndex keeps the last value given for a path", () => {
  const index = new PathIndex([["/a", 1], ["/b", 2], ["/a", 3]]);
  assert.equal(index.get("/a"), 3);
  assert.equal(index.get("/b"), 2);
});
