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
