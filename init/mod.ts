/**
 * `@pubkit/init`: a new pubkit app in one command.
 *
 * ```sh
 * deno run -A jsr:@pubkit/init my-app
 * cd my-app && deno task serve
 * ```
 *
 * ```ts
 * import { initProject } from "@pubkit/init";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * assert.ok((await initProject(dir)).includes("app_test.ts"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { main } from "./main.ts";

export { initProject, type InitProjectOptions, PUBKIT_VERSION } from "./init_project.ts";
export { main, type MainOptions } from "./main.ts";

if (import.meta.main) Deno.exit(await main(Deno.args));
