// Copyright 2025 the pubkit authors. MIT license.

import assert from "node:assert/strict";
import config from "./deno.json" with { type: "json" };

/** Every module the entry `name` of this package's deno.json loads, statically or by literal. */
async function moduleGraph(name: string): Promise<string[]> {
  const entry = (config.exports as Record<string, string>)[name];
  assert.ok(entry, `no entry ${name}`);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, import.meta.url).href],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(output.success);
  const graph = JSON.parse(new TextDecoder().decode(output.stdout));
  return graph.modules.map((module: { specifier: string }) => module.specifier);
}

Deno.test("importing @pubkit/session loads no database driver; @pubkit/session/redis loads ioredis", async () => {
  const main = await moduleGraph(".");
  assert.ok(main.some((specifier) => specifier.endsWith("/session/session_manager.ts")));
  assert.deepEqual(main.filter((specifier) => /ioredis|\/pg@|postgres/.test(specifier)), []);
  const redis = await moduleGraph("./redis");
  assert.ok(redis.some((specifier) => specifier.includes("ioredis")), redis.join("\n"));
});

Deno.test("@pubkit/session's surface: named exports only, entries . ./testing and drivers", async () => {
  const source = await Deno.readTextFile(new URL("./mod.ts", import.meta.url));
  assert.doesNotMatch(source, /export \*/);
  for (const name of Object.keys(config.exports)) {
    assert.match(name, /^\.(\/testing|\/redis|\/postgres)?$/, `entry ${name}`);
  }
});
