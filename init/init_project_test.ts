import assert from "node:assert/strict";
import { initProject, PUBKIT_VERSION } from "./init_project.ts";

Deno.test("initProject() writes an app with a publish root, templates, static files and tasks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const written = await initProject(`${dir}/my-app`);
    assert.deepEqual(written.toSorted(), [
      "app.ts",
      "app_test.ts",
      "deno.json",
      "main.ts",
      "pages/_config.ts",
      "pages/hello.ts",
      "pages/index.ts",
      "static/style.css",
      "templates/index.ehtml",
    ]);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/my-app/deno.json`));
    assert.deepEqual(Object.keys(config.tasks), ["serve", "test"]);
    assert.equal(config.imports["@pubkit/server"], `jsr:@pubkit/server@^${PUBKIT_VERSION}`);
    assert.match(await Deno.readTextFile(`${dir}/my-app/pages/_config.ts`), /session: "lock"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("initProject() depends on the version of the members released with it", async () => {
  for (const member of ["request", "publisher", "session", "server", "init"]) {
    const url = new URL(`../${member}/deno.json`, import.meta.url);
    const { version } = JSON.parse(await Deno.readTextFile(url));
    assert.equal(version, PUBKIT_VERSION, `${member}/deno.json`);
  }
});

Deno.test("initProject() refuses a folder that holds files and overwrites nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/main.ts`, "mine");
    await assert.rejects(
      initProject(dir),
      (error: Error) =>
        error instanceof Deno.errors.AlreadyExists &&
        error.message === `Cannot create the project: ${dir} is not empty (it holds main.ts)`,
    );
    assert.equal(await Deno.readTextFile(`${dir}/main.ts`), "mine");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("initProject() rejects an empty folder name, unknown options and bad versions", async () => {
  await assert.rejects(initProject(""), TypeError);
  // @ts-expect-error: an unknown option
  await assert.rejects(initProject("x", { versoin: "1.0.0" }), /unknown option versoin/);
  await assert.rejects(initProject("x", { version: "^1" }), RangeError);
});
