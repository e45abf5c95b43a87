import { initProject } from "./init_project.ts";

/** Options of {@linkcode main}. */
export interface MainOptions {
  /** Where messages go; `console.log` by default. */
  log?: (line: string) => void;
}

const USAGE = "Usage: deno run -A jsr:@pubkit/init <folder>";

/**
 * The `deno run -A jsr:@pubkit/init my-app` command: creates the app and says what to run next.
 *
 * @example
 * ```ts
 * import { main } from "@pubkit/init";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * assert.equal(await main([], { log: (line) => lines.push(line) }), 2);
 * assert.match(lines[0], /^Usage: /);
 * ```
 *
 * @param args The command line: one folder name, or `--help`.
 * @param options Where messages go.
 * @returns The exit code: 0 when created, 1 when the folder is not empty, 2 for bad usage.
 */
export async function main(args: readonly string[], options: MainOptions = {}): Promise<number> {
  const log = options.log ?? console.log;
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    log(USAGE);
    return 0;
  }
  if (args.length !== 1 || args[0].startsWith("-")) {
    log(USAGE);
    return 2;
  }
  const [dir] = args;
  try {
    await initProject(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    log(error.message);
    return 1;
  }
  log(`Created a pubkit app in ${dir}. Next:`);
  log(`  cd ${dir}`);
  log("  deno task serve   # http://127.0.0.1:8000/");
  log("  deno task test");
  return 0;
}
