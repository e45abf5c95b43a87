/**
 * `deno task test`: runs `deno test` (arguments are passed on), then names every test that did
 * not run and the one command that would run it. A test that needs something the machine may
 * lack is ignored when it is missing and says so in its name, `(needs REDIS_URL)`; nothing is
 * skipped silently. With `PUBKIT_TEST_ALL=1` (as `.ci/run` sets) a test that did not run fails
 * the task.
 *
 * @module
 */

/** What a test may need, and the command that runs the tests with it. */
export const ENABLE: Readonly<Record<string, string>> = {
  REDIS_URL: "REDIS_URL=redis://127.0.0.1:6379 deno task test",
  DATABASE_URL: "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test deno task test",
  Chromium: "CHROMIUM_PATH=/path/to/chromium deno task test",
  wat2wasm: "apt-get install wabt && deno task test",
};

/** A test that did not run. */
export interface NotRun {
  /** The test's name (`test > step` for a step). */
  name: string;
  /** Its file, as `deno test` names it. */
  file: string;
  /** What it needs (from `(needs …)` in its name), or `undefined` when it does not say. */
  needs?: string;
}

const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&quot;": '"',
  "&apos;": "'",
  "&amp;": "&",
};

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp);/g, (entity) => ENTITIES[entity]);
}

/**
 * The skipped tests of a JUnit report written by `deno test --junit-path`.
 *
 * @example
 * ```ts
 * import { notRun } from "./test_task.ts";
 * import assert from "node:assert/strict";
 *
 * const xml = `<testcase name="RedisStore saves (needs REDIS_URL)" classname="./a_test.ts">
 *   <skipped/></testcase><testcase name="runs" classname="./a_test.ts"></testcase>`;
 * assert.deepEqual(notRun(xml), [
 *   { name: "RedisStore saves (needs REDIS_URL)", file: "./a_test.ts", needs: "REDIS_URL" },
 * ]);
 * ```
 *
 * @param junit The report's XML.
 * @returns One entry per skipped test or step, in report order.
 */
export function notRun(junit: string): NotRun[] {
  const skipped: NotRun[] = [];
  const testcase =
    /<testcase name="([^"]*)" classname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const [, name, file, body] of junit.matchAll(testcase)) {
    if (!body || !/<skipped\b/.test(body)) continue;
    const decoded = unescapeXml(name);
    const needs = /\(needs ([^)]+)\)$/.exec(decoded)?.[1];
    skipped.push({ name: decoded, file: unescapeXml(file), needs });
  }
  return skipped;
}

/**
 * The closing lines of the task: each test that did not run, grouped by what it needs, with the
 * command that would run it; nothing when every test ran.
 *
 * @example
 * ```ts
 * import { report } from "./test_task.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = report([{ name: "saves (needs REDIS_URL)", file: "./a_test.ts", needs: "REDIS_URL" }]);
 * assert.deepEqual(lines, [
 *   "Not run: 1 test (each group runs with the command under it)",
 *   "  saves (needs REDIS_URL)  ./a_test.ts",
 *   "  → REDIS_URL=redis://127.0.0.1:6379 deno task test",
 * ]);
 * ```
 *
 * @param skipped The tests that did not run.
 * @returns The lines to print.
 */
export function report(skipped: readonly NotRun[]): string[] {
  if (skipped.length === 0) return [];
  const groups = Map.groupBy(skipped, (test) => test.needs ?? "");
  const lines = [
    `Not run: ${skipped.length} test${skipped.length === 1 ? "" : "s"} ` +
    "(each group runs with the command under it)",
  ];
  for (const [needs, tests] of groups) {
    for (const test of tests) lines.push(`  ${test.name}  ${test.file}`);
    lines.push(
      needs === ""
        ? "  → ignored in the code without a (needs …) reason: remove the ignore"
        : `  → ${ENABLE[needs] ?? `provide ${needs}, then: deno task test`}`,
    );
  }
  return lines;
}

async function main(args: string[]): Promise<number> {
  const junitPath = await Deno.makeTempFile({ prefix: "pubkit-junit-", suffix: ".xml" });
  try {
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "-A",
        "--unstable-no-legacy-abort",
        "--doc",
        `--junit-path=${junitPath}`,
        ...args,
      ],
    }).spawn().status;
    const skipped = notRun(await Deno.readTextFile(junitPath));
    for (const line of report(skipped)) console.log(line);
    if (skipped.length > 0 && Deno.env.get("PUBKIT_TEST_ALL") === "1") {
      console.log(`PUBKIT_TEST_ALL=1: all tests must run, ${skipped.length} did not`);
      return code || 1;
    }
    return code;
  } finally {
    await Deno.remove(junitPath);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
