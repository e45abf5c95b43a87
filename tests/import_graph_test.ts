/**
 * Cold start as a test (issue 18): what importing a member's entry point loads, read from
 * `deno info --json`. A database driver loads only from its own entry point
 * (`@pubkit/pool/postgres`, …), never from a member's `mod.ts`; `@pubkit/server` loads neither
 * the template engines nor the modules that make Deno start its Node.js layer.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

interface Info {
  roots: string[];
  modules: { specifier: string; dependencies?: Dependency[] }[];
  redirects: Record<string, string>;
}
interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

/**
 * The modules that importing `entry` evaluates: code dependencies, not types; with `dynamic`,
 * also what its `import()`s with a literal would load.
 */
async function codeGraph(entry: string, { dynamic }: { dynamic: boolean }): Promise<Set<string>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL(entry, ROOT).pathname],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const info: Info = JSON.parse(new TextDecoder().decode(stdout));
  const modules = new Map(info.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const queue = info.roots.map((root) => info.redirects[root] ?? root);
  while (queue.length > 0) {
    const specifier = queue.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of modules.get(specifier)?.dependencies ?? []) {
      if (dependency.code === undefined || (dependency.isDynamic && !dynamic)) continue;
      queue.push(info.redirects[dependency.code.specifier] ?? dependency.code.specifier);
    }
  }
  return seen;
}

/** The npm packages in a graph, by name. */
function npmPackages(graph: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const specifier of graph) {
    const match = /^npm:\/?((?:@[^/@]+\/)?[^/@]+)/.exec(specifier);
    if (match) names.add(match[1]);
  }
  return names;
}

const MEMBER_ENTRIES = [
  "async/mod.ts",
  "request/mod.ts",
  "publisher/mod.ts",
  "session/mod.ts",
  "pool/mod.ts",
  "pool/testing.ts",
  "render/mod.ts",
  "server/mod.ts",
  "init/mod.ts",
];

Deno.test("no member's entry point reaches the PostgreSQL driver, even by import()", async () => {
  for (const entry of MEMBER_ENTRIES) {
    const packages = npmPackages(await codeGraph(entry, { dynamic: true }));
    assert.ok(!packages.has("pg"), `${entry} reaches pg`);
  }
  // The check can see it: the driver's own entry point does reach it.
  const postgres = npmPackages(await codeGraph("pool/postgres_factory.ts", { dynamic: true }));
  assert.ok(postgres.has("pg"));
});

Deno.test("no member's entry point reaches the Redis driver, even by import()", async () => {
  for (const entry of MEMBER_ENTRIES) {
    const packages = npmPackages(await codeGraph(entry, { dynamic: true }));
    assert.ok(!packages.has("ioredis"), `${entry} reaches ioredis`);
  }
  // The check can see it: RedisStore's own entry point does reach it.
  assert.ok(
    npmPackages(await codeGraph("session/redis_store.ts", { dynamic: true })).has("ioredis"),
  );
});

Deno.test("importing @pubkit/server loads no template engine, no session, pool or driver, no OpenTelemetry API, no Node.js module of its own or publisher's, no cookie package", async () => {
  const graph = await codeGraph("server/mod.ts", { dynamic: false });
  const render = [...graph].filter((specifier) => specifier.includes("/render/"));
  assert.deepEqual(render, []);
  for (const builtin of ["node:net", "node:sqlite"]) assert.ok(!graph.has(builtin), builtin);
  // Publishing needs no Node.js module either.
  const publisher = await codeGraph("publisher/mod.ts", { dynamic: true });
  const builtins = [...publisher].filter((specifier) => specifier.startsWith("node:"));
  assert.deepEqual(builtins, []);
  const packages = npmPackages(graph);
  for (
    const name of [
      "cookie",
      "htmlparser2",
      "parse5",
      "acorn",
      "pg",
      "ioredis",
      "@opentelemetry/api",
    ]
  ) {
    assert.ok(!packages.has(name), `@pubkit/server loads ${name}`);
  }
  // Nor session or pool (the errors it maps carry their HTTP meaning themselves).
  for (const member of ["/session/", "/pool/"]) {
    assert.deepEqual([...graph].filter((specifier) => specifier.includes(member)), []);
  }
  // The check sees the OpenTelemetry API where it is loaded, on demand.
  const telemetry = await codeGraph("async/telemetry.ts", { dynamic: true });
  assert.ok(npmPackages(telemetry).has("@opentelemetry/api"));
  // Rendering still reaches the engines, on first use.
  const later = await codeGraph("server/mod.ts", { dynamic: true });
  assert.ok([...later].some((specifier) => specifier.endsWith("/render/mod.ts")));
});
