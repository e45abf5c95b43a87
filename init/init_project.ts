import { projectFiles, PUBKIT_VERSION } from "./_project_files.ts";

export { PUBKIT_VERSION };

/** Options of {@linkcode initProject}. */
export interface InitProjectOptions {
  /** The pubkit version the app depends on (as `^version`); this release's by default. */
  version?: string;
}

/**
 * Writes a new pubkit app into `dir`: `deno.json` with `serve` and `test` tasks, `main.ts` and
 * `app.ts`, a publish root `pages/` with a `_config.ts` (templates, a locked session), a home
 * page counting visits in the session through the embedded engine, a published `hello`, a
 * `templates/` and a `static/` folder, and `app_test.ts`.
 *
 * @example Creating an app in a new folder
 * ```ts
 * import { initProject } from "@pubkit/init";
 * import assert from "node:assert/strict";
 *
 * const dir = `${await Deno.makeTempDir()}/my-app`;
 * const written = await initProject(dir);
 * assert.ok(written.includes("pages/_config.ts"));
 * const config = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
 * assert.equal(config.tasks.serve, "deno run -A --unstable-no-legacy-abort main.ts");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param dir The folder to create; it may exist if it is empty.
 * @param options The pubkit version to depend on.
 * @returns The paths written, relative to `dir`.
 * @throws {TypeError} When `dir` is empty.
 * @throws {RangeError} For an unknown option or a version that is not `major.minor.patch`.
 * @throws {Deno.errors.AlreadyExists} When `dir` holds files: nothing is overwritten.
 */
export async function initProject(
  dir: string,
  options: InitProjectOptions = {},
): Promise<string[]> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError("Cannot create the project: the folder name is empty");
  }
  for (const key of Object.keys(options)) {
    if (key !== "version") throw new RangeError(`Cannot create the project: unknown option ${key}`);
  }
  const { version = PUBKIT_VERSION } = options;
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new RangeError(`Cannot create the project: version ${version} is not major.minor.patch`);
  }
  await Deno.mkdir(dir, { recursive: true });
  for await (const entry of Deno.readDir(dir)) {
    throw new Deno.errors.AlreadyExists(
      `Cannot create the project: ${dir} is not empty (it holds ${entry.name})`,
    );
  }
  const files = projectFiles(version);
  for (const [path, text] of Object.entries(files)) {
    const file = `${dir}/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, text, { createNew: true });
  }
  return Object.keys(files);
}
