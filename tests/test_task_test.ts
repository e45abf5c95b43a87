import assert from "node:assert/strict";
import { notRun, report } from "./test_task.ts";

const TASK = new URL("./test_task.ts", import.meta.url).pathname;
const FIXTURE = new URL("./testdata/needs_fixture.ts", import.meta.url).pathname;

async function runTask(env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TASK, FIXTURE],
    env: { NO_COLOR: "1", ...env },
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code, lines: new TextDecoder().decode(stdout).trimEnd().split("\n") };
}

Deno.test("deno task test names what did not run last, with the command that runs it", async () => {
  const { code, lines } = await runTask({ PUBKIT_TEST_ALL: "" });
  assert.equal(code, 0, lines.join("\n"));
  assert.deepEqual(lines.slice(-5), [
    "Not run: 2 tests (each group runs with the command under it)",
    "  talks to Redis (needs REDIS_URL)  ./tests/testdata/needs_fixture.ts",
    "  → REDIS_URL=redis://127.0.0.1:6379 deno task test",
    "  has a step that needs a browser > clicks (needs Chromium)  ./tests/testdata/needs_fixture.ts",
    "  → CHROMIUM_PATH=/path/to/chromium deno task test",
  ]);
});

Deno.test("deno task test fails when PUBKIT_TEST_ALL=1 and a test did not run", async () => {
  const { code, lines } = await runTask({ PUBKIT_TEST_ALL: "1" });
  assert.equal(code, 1);
  assert.equal(lines.at(-1), "PUBKIT_TEST_ALL=1: all tests must run, 2 did not");
});

Deno.test("notRun() reads skipped tests and steps from the JUnit report, unescaped", () => {
  const xml = `<testsuites><testsuite name="./a_test.ts">
    <testcase name="a &lt;b&gt; &amp; &quot;c&quot; (needs DATABASE_URL)" classname="./a_test.ts" time="0.000">
        <skipped/>
    </testcase>
    <testcase name="passes" classname="./a_test.ts" time="0.001">
    </testcase>
    <testcase name="t &gt; ignored step" classname="./a_test.ts" time="0.000">
        <skipped/>
    </testcase>
  </testsuite></testsuites>`;
  assert.deepEqual(notRun(xml), [
    { name: 'a <b> & "c" (needs DATABASE_URL)', file: "./a_test.ts", needs: "DATABASE_URL" },
    { name: "t > ignored step", file: "./a_test.ts", needs: undefined },
  ]);
});

Deno.test("report() names a test ignored without a reason instead of dropping it", () => {
  assert.deepEqual(report([]), []);
  assert.deepEqual(report([{ name: "flaky", file: "./b_test.ts" }]), [
    "Not run: 1 test (each group runs with the command under it)",
    "  flaky  ./b_test.ts",
    "  → ignored in the code without a (needs …) reason: remove the ignore",
  ]);
});
