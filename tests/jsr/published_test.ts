/**
 * pubkit as its users get it: the real `deno publish --token` uploads every member to a JSR
 * registry on loopback (`JSR_URL`), then a project outside the workspace, with its own
 * `deno.json` and its own DENO_DIR (so nothing of pubkit is cached from the workspace), imports
 * the published packages, type-checks and serves. This catches what `deno publish --dry-run`
 * cannot: workspace imports rewritten to `jsr:` specifiers, export maps, files left out of a
 * package that its code still needs.
 *
 * npm packages that members depend on are fetched through the shared npm cache of the Deno
 * running the tests (the consumer's DENO_DIR links its `npm/` folder there): they are not
 * pubkit's, and downloading them afresh would only make the test slower.
 */
import assert from "node:assert/strict";
import { LocalJsrRegistry } from "./_registry.ts";
import { deno, startServer } from "./_process.ts";

const WORKSPACE = new URL("../../", import.meta.url).pathname;
/** Every workspace member, as the root deno.json lists them. */
const MEMBERS: string[] = JSON.parse(
  await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
).workspace.map((path: string) => path.replace(/^\.\//, ""));
const TOKEN = crypto.randomUUID();

/** A DENO_DIR of its own whose `npm/` is the running Deno's npm cache. */
async function freshDenoDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-deno-dir-" });
  const info = JSON.parse(await deno(["info", "--json"], { cwd: dir, env: {} }));
  await Deno.mkdir(info.npmCache, { recursive: true });
  await Deno.symlink(info.npmCache, `${dir}/npm`);
  return dir;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const file = `${dir}/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, text);
  }
}

/** The consumer: a hello function and a page with a session and a template. */
const CONSUMER: Record<string, string> = {
  "deno.json": JSON.stringify(
    {
      imports: {
        "@pubkit/server": "jsr:@pubkit/server@^0.1",
        "@pubkit/session": "jsr:@pubkit/session@^0.1",
        "@pubkit/publisher": "jsr:@pubkit/publisher@^0.1",
        "@pubkit/request": "jsr:@pubkit/request@^0.1",
      },
    },
    null,
    2,
  ),
  "main.ts": `import { createApp } from "@pubkit/server";
import { MemoryStore, SessionManager } from "@pubkit/session";

const sessions = new SessionManager({
  store: new MemoryStore(),
  secrets: [crypto.randomUUID() + crypto.randomUUID()],
});
const app = createApp({
  publish: { root: new URL("./pages/", import.meta.url) },
  sessions,
  accessLog: false,
  startup: [{ name: "sessions", run: (app) => app.registerCleanup(() => sessions.close()) }],
});
await app.serve({ hostname: "127.0.0.1", port: 0 });
`,
  "pages/_config.ts": `import { defineScope } from "@pubkit/publisher";

export default defineScope({ templates: ["../templates"], session: "lock" });
`,
  "pages/hello.ts": `import type { Req } from "@pubkit/request";

export function index(_req: Req, { name = "world" }: { name?: string }): string {
  return \`Hello, \${name}!\`;
}
`,
  "pages/visits.ts": `import { createDefine } from "@pubkit/server";

const define = createDefine();

export const index = define.fn((req, { name = "guest" }: { name?: string }) => {
  const visits = ((req.session.get("visits") as number | undefined) ?? 0) + 1;
  req.session.set("visits", visits);
  return req.render("visits", { name, visits });
});
`,
  "templates/visits.ehtml":
    `<p>Hello, <%= it.name %>: visit <b id="visits"><%= it.visits %></b></p>\n`,
};

Deno.test({
  name:
    "published to a local JSR registry, pubkit is imported, checked and served by a new project",
  // Spawned processes and the registry's server are awaited and stopped within the test.
  async fn(t) {
    await using registry = await LocalJsrRegistry.start({ scope: "pubkit", token: TOKEN });
    const jsr = { JSR_URL: registry.url.href };
    const denoDir = await freshDenoDir();
    const project = await Deno.makeTempDir({ prefix: "pubkit-consumer-" });
    try {
      await t.step("deno publish --token uploads every member", async () => {
        await assert.rejects(
          deno(["publish", "--token", "wrong", "--allow-dirty"], { cwd: WORKSPACE, env: jsr }),
          /invalidBearerToken/,
        );
        await deno(["publish", "--token", TOKEN, "--allow-dirty"], { cwd: WORKSPACE, env: jsr });
        assert.deepEqual(
          registry.published.toSorted(),
          MEMBERS.map((m) => `@pubkit/${m}@0.1.0`).toSorted(),
        );
      });

      await t.step("a new project resolves and type-checks the jsr: imports", async () => {
        await writeFiles(project, CONSUMER);
        const env = { ...jsr, DENO_DIR: denoDir };
        await deno(["check", "main.ts", "pages/"], { cwd: project, env });
        const lock = JSON.parse(await Deno.readTextFile(`${project}/deno.lock`));
        assert.deepEqual(
          Object.keys(lock.jsr).toSorted(),
          // What the server needs, transitively: every member but the init command.
          MEMBERS.filter((m) => m !== "init").map((m) => `@pubkit/${m}@0.1.0`).toSorted(),
        );
      });

      await t.step(
        "it serves a published hello and a page with a session and a template",
        async () => {
          await using server = await startServer(
            ["run", "-A", "--unstable-no-legacy-abort", "main.ts"],
            { cwd: project, env: { ...jsr, DENO_DIR: denoDir } },
          );
          const hello = await fetch(new URL("/hello?name=Ada", server.url));
          assert.equal(await hello.text(), "Hello, Ada!");

          const first = await fetch(new URL("/visits?name=<Ada>", server.url));
          assert.equal(first.status, 200, server.output());
          assert.match(first.headers.get("content-type") ?? "", /^text\/html/);
          assert.equal(
            await first.text(),
            `<p>Hello, &lt;Ada&gt;: visit <b id="visits">1</b></p>\n`,
          );
          const cookie = first.headers.get("set-cookie")?.split(";")[0];
          assert.ok(cookie, "the session cookie is set");
          const second = await fetch(new URL("/visits", server.url), { headers: { cookie } });
          assert.match(await second.text(), /Hello, guest: visit <b id="visits">2<\/b>/);
        },
      );

      await t.step("deno run -A jsr:@pubkit/init writes an app whose tasks work", async () => {
        const env = { ...jsr, DENO_DIR: denoDir };
        await deno(["run", "-A", "jsr:@pubkit/init", "my-app"], { cwd: project, env });
        const app = `${project}/my-app`;
        const tested = await deno(["task", "test"], { cwd: app, env });
        assert.match(tested, /ok \| 3 passed \| 0 failed/);
        await using server = await startServer(["task", "serve"], {
          cwd: app,
          env: { ...env, PORT: "0" },
        });
        const home = await fetch(server.url);
        assert.equal(home.status, 200, server.output());
        assert.match(await home.text(), /<strong id="visits">1<\/strong>/);
        const css = await fetch(new URL("/static/style.css", server.url));
        assert.match(await css.text(), /font-family/);
      });
    } catch (error) {
      throw new Error(`${error}\nregistry log:\n${registry.log.join("\n")}`, { cause: error });
    } finally {
      await Deno.remove(project, { recursive: true });
      await Deno.remove(denoDir, { recursive: true });
    }
  },
});
