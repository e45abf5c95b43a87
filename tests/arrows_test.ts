/**
 * The architecture as a test: members import each other only by package name and only along
 * the allowed arrows (publisher → request; session, pool, request → async; server → everything;
 * async and render alone).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const MEMBERS = [
  "async",
  "request",
  "publisher",
  "session",
  "pool",
  "render",
  "server",
  "init",
] as const;
type Member = typeof MEMBERS[number];

const ALLOWED: Record<Member, readonly Member[]> = {
  async: [],
  request: ["async"],
  publisher: ["request"],
  session: ["async"],
  pool: ["async"],
  render: [],
  server: ["async", "request", "publisher", "session", "pool", "render"],
  // init imports no member; the app it writes does, and its sources hold that app's text.
  init: ["request", "publisher", "session", "server"],
};

// The members that may use another member's `./internal` entry (framework plumbing, off the
// documented API): the server and the publisher, which run requests.
const INTERNAL_USERS: readonly Member[] = ["publisher", "server"];

/** A member's entry points (its deno.json `exports`), e.g. `@pubkit/request/body`. */
async function entryPoints(member: string): Promise<Set<string>> {
  try {
    const config = JSON.parse(await Deno.readTextFile(new URL(`${member}/deno.json`, ROOT)));
    return new Set(
      Object.keys(config.exports ?? {}).map((key) =>
        key === "." ? `@pubkit/${member}` : `@pubkit/${member}/${key.slice(2)}`
      ),
    );
  } catch {
    return new Set();
  }
}

// Static imports, re-exports, dynamic imports with a literal, and `import type`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

async function* sourceFiles(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sourceFiles(url);
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) yield url;
  }
}

/** Finds the rule breaks in one member's sources. */
async function violations(member: Member, dir: URL): Promise<string[]> {
  const found: string[] = [];
  for await (const file of sourceFiles(dir)) {
    const text = await Deno.readTextFile(file);
    for (const [, specifier] of text.matchAll(SPECIFIER)) {
      const where = `${file.pathname.slice(ROOT.pathname.length)} imports ${specifier}`;
      if (specifier.startsWith(".")) {
        const target = new URL(specifier, file);
        if (!target.pathname.startsWith(dir.pathname)) {
          found.push(`${where}: a relative path out of ${member}/`);
        }
        continue;
      }
      const match = /^@pubkit\/([a-z]+)/.exec(specifier);
      if (!match || match[1] === member) continue;
      if (!ALLOWED[member].includes(match[1] as Member)) {
        found.push(`${where}: ${member} may not depend on ${match[1]}`);
        continue;
      }
      // Another member's files only through its entry points: never one of its inner files.
      if (!(await entryPoints(match[1])).has(specifier)) {
        found.push(`${where}: not an entry point of ${match[1]} (an internal file)`);
      } else if (specifier.endsWith("/internal") && !INTERNAL_USERS.includes(member)) {
        found.push(`${where}: only ${INTERNAL_USERS.join(" and ")} use an internal entry`);
      }
    }
  }
  return found;
}

Deno.test("members import each other by package name along the allowed arrows only", async (t) => {
  for (const member of MEMBERS) {
    const dir = new URL(`${member}/`, ROOT);
    try {
      await Deno.stat(dir);
    } catch {
      continue; // a member joins the workspace with its issue
    }
    await t.step(member, async () => {
      assert.deepEqual(await violations(member, dir), []);
    });
  }
});

Deno.test("the arrow check catches a relative import and a forbidden arrow", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const session = new URL(`file://${dir}/session/`);
    await Deno.mkdir(session);
    await Deno.writeTextFile(
      new URL("store.ts", session),
      'import { Req } from "@pubkit/request";\nimport { x } from "../pool/mod.ts";\n',
    );
    const found = await violations("session", session);
    assert.equal(found.length, 2);
    assert.match(found[0], /session may not depend on request/);
    assert.match(found[1], /a relative path out of session\//);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the arrow check catches another member's inner file and a misused internal entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const server = new URL(`file://${dir}/server/`);
    await Deno.mkdir(server);
    await Deno.writeTextFile(
      new URL("app.ts", server),
      'import { Req } from "@pubkit/request/req.ts";\n' +
        'import { requestChain } from "@pubkit/request/internal";\n' +
        'import { x } from "../request/req.ts";\n',
    );
    const found = await violations("server", server);
    assert.equal(found.length, 2);
    assert.match(found[0], /@pubkit\/request\/req\.ts: not an entry point of request/);
    assert.match(found[1], /a relative path out of server\//);

    const session = new URL(`file://${dir}/session/`);
    await Deno.mkdir(session);
    await Deno.writeTextFile(
      new URL("store.ts", session),
      'import { WaitQueue } from "@pubkit/async";\nimport { y } from "@pubkit/async/internal";\n',
    );
    const misused = await violations("session", session);
    assert.equal(misused.length, 1);
    assert.match(misused[0], /not an entry point of async/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("only the server and the publisher use @pubkit/request/internal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const render = new URL(`file://${dir}/render/`);
    await Deno.mkdir(render);
    await Deno.writeTextFile(
      new URL("x.ts", render),
      'import { requestChain } from "@pubkit/request/internal";\n',
    );
    // render may not depend on request at all; init may, but not on its internal entry.
    assert.match((await violations("render", render))[0], /render may not depend on request/);
    const init = new URL(`file://${dir}/init/`);
    await Deno.mkdir(init);
    await Deno.writeTextFile(
      new URL("x.ts", init),
      'import { requestChain } from "@pubkit/request/internal";\n',
    );
    const found = await violations("init", init);
    assert.equal(found.length, 1);
    assert.match(found[0], /only publisher and server use an internal entry/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
