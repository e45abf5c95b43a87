import assert from "node:assert/strict";
import { join } from "node:path";
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

async function copies(root: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.name.includes(".pubkit-reload-")) found.push(entry.name);
    if (entry.isDirectory) found.push(...await copies(join(root, entry.name)));
  }
  return found;
}

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
  const otherId = (await fetchText(publisher, "/other/id")).body;
  assert.equal((await fetchText(publisher, "/page/show")).body, "page dep one");

  await t.step("nothing changed: no reload", async () => {
    assert.equal(await publisher.reload(), false);
    assert.equal(publisher.reloads, 0);
  });

  await t.step("a dependency two imports away changes the importer's output", async () => {
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "two";\n');
    assert.equal(await publisher.reload(), true);
    assert.equal((await fetchText(publisher, "/page/show")).body, "page dep two");
  });

  await t.step("modules that do not import it keep their instance (and state)", async () => {
    assert.equal((await fetchText(publisher, "/other/id")).body, otherId);
  });

  await t.step("a second change to the same dependency is seen too", async () => {
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "three";\n');
    await publisher.reload();
    assert.equal((await fetchText(publisher, "/page/show")).body, "page dep three");
  });

  await t.step(
    "a change to the middle module alone uses the current copy of the leaf",
    async () => {
      await Deno.writeTextFile(
        join(root, "_dep.ts"),
        'import { deeper } from "./_deeper.ts";\nexport const dep = () => `DEP ${deeper}`;\n',
      );
      await publisher.reload();
      assert.equal((await fetchText(publisher, "/page/show")).body, "page DEP three");
    },
  );

  await t.step("new and removed modules appear and disappear", async () => {
    await Deno.writeTextFile(join(root, "fresh.ts"), 'export const hi = () => "fresh";\n');
    await Deno.remove(join(root, "other.ts"));
    await publisher.reload();
    assert.equal((await fetchText(publisher, "/fresh/hi")).body, "fresh");
    assert.equal((await fetchText(publisher, "/other/id")).status, 404);
  });

  await t.step("a _config.ts change recomputes the scopes", async () => {
    await Deno.writeTextFile(
      join(root, "_config.ts"),
      "export default { settings: { version: 2 } };\n",
    );
    await publisher.reload();
    assert.deepEqual(publisher.scopeFor("/").settings, { version: 2 });
  });

  await t.step("a broken change keeps the old table; fixing it reloads", async () => {
    await Deno.writeTextFile(join(root, "_deeper.ts"), "export const deeper = ;\n");
    await assert.rejects(publisher.reload(), /Cannot import page\.ts/);
    assert.equal((await fetchText(publisher, "/page/show")).body, "page DEP three");
    await Deno.writeTextFile(join(root, "_deeper.ts"), 'export const deeper = "four";\n');
    await publisher.reload();
    assert.equal((await fetchText(publisher, "/page/show")).body, "page DEP four");
  });

  await t.step("the copies are dot-files, never published, and close() deletes them", async () => {
    const made = await copies(root);
    assert.ok(made.length > 0);
    assert.ok(made.every((name) => name.startsWith(".")));
    for (const name of made) {
      assert.equal(publisher.resolve("/" + name.replace(/\.ts$/, "")), undefined);
    }
    await publisher.close();
    assert.deepEqual(await copies(root), []);
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
