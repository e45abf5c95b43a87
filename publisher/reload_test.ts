import { scopeForTesting } from "./publisher.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL as toFileUrl } from "node:url";
import { Publisher } from "./mod.ts";
import { fetchText } from "./_testing.ts";

async function tempRoot(files: Record<string, string>): Promise<string & AsyncDisposable> {
  const root = await Deno.makeTempDir({ prefix: "pubkit-reload-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, name), text);
  }
  return Object.assign(Object.create(String.prototype), {
    toString: () => root,
    valueOf: () => root,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  });
}

/** Every file under `dir`, as sorted paths relative to it. */
async function listing(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(dir, prefix))) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory) found.push(...await listing(dir, rel));
    else found.push(rel);
  }
  return found.sort();
}

/** Runs `fn` with `TMPDIR` set to a fresh folder, which it gets; restores `TMPDIR` after. */
async function withTmpDir(fn: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "pubkit-tmpdir-" });
  const before = Deno.env.get("TMPDIR");
  Deno.env.set("TMPDIR", tmp);
  try {
    await fn(tmp);
  } finally {
    if (before === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", before);
    await Deno.remove(tmp, { recursive: true });
  }
}

const UP = "..";

const FILES = {
  "page.ts": 'import { dep } from "./_dep.ts";\nexport const show = () => `page ${dep()}`;\n',
  "_dep.ts": 'import { deeper } from "./_deeper.ts";\nexport const dep = () => `dep ${deeper}`;\n',
  "_deeper.ts": 'export const deeper = "one";\n',
  "other.ts": "const loadedAt = crypto.randomUUID();\nexport const id = () => loadedAt;\n",
  "_config.ts": "export default { settings: { version: 1 } };\n",
};

Deno.test("Publisher.reload() re-imports a changed dependency and every module that imports it", async (t) => {
  await using dir = await tempRoot(FILES);
  const root = String(dir);
  await using publisher = await Publisher.create({ root, dev: true, watch: false });
  // What the publish root must hold after every reload: the files this test wrote, nothing else.
  const expected = new Set(Object.keys(FILES));
  const reload = async () => {
    const reloaded = await publisher.reload();
    assert.deepEqual(await listing(root), [...expected].sort());
    return reloaded;
  };
  const otherId = (await fetchText(publisher, "/other/id")).body;
  assert.equal((await fetchText(publisher, "/page/show")).body, "page dep one");

  await t.step("nothing changed: no reload", async () => {
    assert.equal(await reload(), false);
    assert.equal(publisher.reloads, 0);
  });

  await t.step("a dependency two imports away changes the importer's output", async () => {
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "two";\n');
    assert.equal(await reload(), true);
    assert.equal((await fetchText(publisher, "/page/show")).body, "page dep two");
  });

  await t.step("modules that do not import it keep their instance (and state)", async () => {
    assert.equal((await fetchText(publisher, "/other/id")).body, otherId);
  });

  await t.step("a second change to the same dependency is seen too", async () => {
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "three";\n');
    await reload();
    assert.equal((await fetchText(publisher, "/page/show")).body, "page dep three");
  });

  await t.step(
    "a change to the middle module alone uses the current copy of the leaf",
    async () => {
      await Deno.writeTextFile(
        join(root, "_dep.ts"),
        'import { deeper } from "./_deeper.ts";\nexport const dep = () => `DEP ${deeper}`;\n',
      );
      await reload();
      assert.equal((await fetchText(publisher, "/page/show")).body, "page DEP three");
    },
  );

  await t.step("new and removed modules appear and disappear", async () => {
    await Deno.writeTextFile(join(root, "fresh.ts"), 'export const hi = () => "fresh";\n');
    await Deno.remove(join(root, "other.ts"));
    expected.add("fresh.ts");
    expected.delete("other.ts");
    await reload();
    assert.equal((await fetchText(publisher, "/fresh/hi")).body, "fresh");
    assert.equal((await fetchText(publisher, "/other/id")).status, 404);
  });

  await t.step("a _config.ts change recomputes the scopes", async () => {
    await Deno.writeTextFile(
      join(root, "_config.ts"),
      "export default { settings: { version: 2 } };\n",
    );
    await reload();
    assert.deepEqual(scopeForTesting(publisher, "/").settings, { version: 2 });
  });

  await t.step("a broken change keeps the old table; fixing it reloads", async () => {
    await Deno.writeTextFile(join(root, "_deeper.ts"), "export const deeper = ;\n");
    await assert.rejects(reload(), /Cannot import page\.ts/);
    assert.deepEqual(await listing(root), [...expected].sort());
    assert.equal((await fetchText(publisher, "/page/show")).body, "page DEP three");
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "four";\n');
    await reload();
    assert.equal((await fetchText(publisher, "/page/show")).body, "page DEP four");
  });

  await t.step("the publish root holds only the files written by the test", async () => {
    assert.deepEqual(await listing(root), [...expected].sort());
  });
});

Deno.test("Publisher.reload() writes its copies to a temporary folder and close() deletes them", async () => {
  await using dir = await tempRoot({
    ...Object.fromEntries(Object.entries(FILES).map(([name, text]) => [`pages/${name}`, text])),
    "pages/data.txt": "data one\n",
    // import.meta.url of a reloaded module still names the original file.
    "pages/meta.ts": 'import { deeper } from "./_deeper.ts";\n' +
      "export const read = async () => " +
      '`${deeper} ${await Deno.readTextFile(new URL("./data.txt", import.meta.url))}`;\n' +
      "export const url = () => import.meta.url;\n",
    // A relative import that leaves the root is made absolute in the copy. (The specifiers are
    // built, so that tests/arrows_test.ts does not take them for this file's own imports.)
    "pages/sub/out.ts": `import { outside } from "${UP}/${UP}/outside.ts";\n` +
      `import { deeper } from "${UP}/_deeper.ts";\n` +
      "export const show = () => `${outside} ${deeper}`;\n",
    "outside.ts": 'export const outside = "outside";\n',
  });
  const root = join(String(dir), "pages");
  await withTmpDir(async (tmp) => {
    await using publisher = await Publisher.create({ root, dev: true, watch: false });
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "two";\n');
    assert.equal(await publisher.reload(), true);
    assert.equal((await fetchText(publisher, "/meta/read")).body, "two data one\n");
    assert.equal(
      (await fetchText(publisher, "/meta/url")).body,
      toFileUrl(join(root, "meta.ts")).href,
    );
    assert.equal((await fetchText(publisher, "/sub/out/show")).body, "outside two");
    const copies = await listing(tmp);
    assert.ok(copies.some((path) => path.endsWith("/sub/out.ts")), copies.join(", "));
    assert.ok(copies.every((path) => path.startsWith("pubkit-reload-")), copies.join(", "));
    await publisher.close();
    assert.deepEqual(await listing(tmp), []);
  });
});

Deno.test("Publisher in dev mode watches the root and reloads on its own", async () => {
  await using dir = await tempRoot(FILES);
  const root = String(dir);
  await using publisher = await Publisher.create({ root, dev: true, debounce: 20 });
  assert.equal((await fetchText(publisher, "/page/show")).body, "page dep one");
  await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "watched";\n');
  const deadline = Date.now() + 15_000;
  let body = "";
  while (Date.now() < deadline) {
    body = (await fetchText(publisher, "/page/show")).body;
    if (body === "page dep watched") break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.equal(body, "page dep watched");
});

Deno.test("Publisher without dev mode never reloads", async () => {
  await using dir = await tempRoot(FILES);
  const root = String(dir);
  await using publisher = await Publisher.create({ root });
  await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "changed";\n');
  assert.equal((await fetchText(publisher, "/page/show")).body, "page dep one");
});
