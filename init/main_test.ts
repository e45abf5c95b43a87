import assert from "node:assert/strict";
import { main } from "./main.ts";

Deno.test("main() creates the app and prints the next commands", async () => {
  const dir = `${await Deno.makeTempDir()}/my-app`;
  const lines: string[] = [];
  try {
    assert.equal(await main([dir], { log: (line) => lines.push(line) }), 0);
    assert.deepEqual(lines.slice(1), [
      `  cd ${dir}`,
      "  deno task serve   # http://127.0.0.1:8000/",
      "  deno task test",
    ]);
    await Deno.stat(`${dir}/deno.json`);
  } finally {
    await Deno.remove(dir.slice(0, -"/my-app".length), { recursive: true });
  }
});

Deno.test("main() exits 2 with the usage for no folder or an unknown flag, 1 for a used folder", async () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  assert.equal(await main([], { log }), 2);
  assert.equal(await main(["--force", "x"], { log }), 2);
  assert.equal(await main(["--help"], { log }), 0);
  assert.deepEqual(lines, Array(3).fill("Usage: deno run -A jsr:@pubkit/init <folder>"));
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x`, "");
    assert.equal(await main([dir], { log }), 1);
    assert.match(lines.at(-1)!, /is not empty/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
