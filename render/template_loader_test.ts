import assert from "node:assert/strict";
import { TemplateLoader, TemplateNotFoundError } from "./mod.ts";

Deno.test("TemplateLoader.resolve() finds the first match on the search path", async (t) => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${b}/page.html`, "b");
    await Deno.mkdir(`${b}/admin`);
    await Deno.writeTextFile(`${b}/admin/users.html`, "u");
    const loader = new TemplateLoader({ searchPath: [a, b] });
    await t.step("falls through to a later directory", async () => {
      assert.equal(await loader.resolve("page"), `${b}/page.html`);
    });
    await t.step("an earlier directory wins", async () => {
      await Deno.writeTextFile(`${a}/page.html`, "a");
      assert.equal(await loader.resolve("page"), `${a}/page.html`);
    });
    await t.step("accepts the extension and subdirectories", async () => {
      assert.equal(await loader.resolve("page.html"), `${a}/page.html`);
      assert.equal(await loader.resolve("admin/users"), `${b}/admin/users.html`);
    });
    await t.step("missing names are TemplateNotFoundError", async () => {
      await assert.rejects(() => loader.resolve("nope"), TemplateNotFoundError);
      await assert.rejects(() => loader.resolve("admin"), TemplateNotFoundError);
    });
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("TemplateLoader.resolve() confines names to the search path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loader = new TemplateLoader({ searchPath: [dir] });
    for (const name of ["", "../x", "a/../../x", "/etc/passwd", "a\\b", "a\0b", "./a", "a//b"]) {
      await assert.rejects(() => loader.resolve(name), TypeError, JSON.stringify(name));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TemplateLoader.resolveRelative() keeps includes inside the search path", () => {
  const loader = new TemplateLoader({ searchPath: ["/srv/t"] });
  assert.equal(loader.resolveRelative("/srv/t/a/page.html", "../x.html"), "/srv/t/x.html");
  assert.equal(loader.resolveRelative("/srv/t/a/page.html", "b.html"), "/srv/t/a/b.html");
  assert.throws(() => loader.resolveRelative("/srv/t/page.html", "../etc/x"), TypeError);
  assert.throws(() => loader.resolveRelative("/srv/t/page.html", "/etc/x"), TypeError);
});

Deno.test("new TemplateLoader() validates its options", () => {
  assert.throws(() => new TemplateLoader({ searchPath: [] }), RangeError);
  // @ts-expect-error: unknown option
  assert.throws(() => new TemplateLoader({ searchPath: ["."], root: "." }), RangeError);
  // @ts-expect-error: wrong type
  assert.throws(() => new TemplateLoader({ searchPath: "." }), TypeError);
});
