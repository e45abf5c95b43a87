/** The files of a new pubkit app, by path relative to its folder. */

/** The pubkit release a new app depends on (a caret range of it). */
export const PUBKIT_VERSION = "0.1.0";

const MAIN = `// \`deno task serve\`: the app on PORT (8000) and HOST (127.0.0.1).
import { createSiteApp } from "./app.ts";

const app = createSiteApp();
await app.serve({
  port: Number(Deno.env.get("PORT") || 8000),
  hostname: Deno.env.get("HOST") || "127.0.0.1",
});
`;

const APP =
  `// The app: published functions in pages/, templates in templates/, files in static/, and
// sessions kept in memory (one process; see pubkit's README for FileStore and RedisStore).
import { type App, createApp } from "@pubkit/server";
import { MemoryStore, SessionManager } from "@pubkit/session";

/** Options of {@linkcode createSiteApp}. */
export interface SiteAppOptions {
  /** Cookie signing secret, at least 32 characters; SESSION_SECRET or a random one by default. */
  secret?: string;
  /** Log the requests; on by default. */
  accessLog?: boolean;
}

/** Builds the app; \`app.fetch\` answers requests in process, \`app.serve()\` listens. */
export function createSiteApp(options: SiteAppOptions = {}): App {
  const secret = options.secret ?? Deno.env.get("SESSION_SECRET") ??
    crypto.randomUUID() + crypto.randomUUID(); // sessions then last until the process stops
  const sessions = new SessionManager({ store: new MemoryStore(), secrets: [secret] });
  return createApp({
    publish: { root: new URL("./pages/", import.meta.url) },
    static: { prefix: "/static/", dir: new URL("./static/", import.meta.url) },
    sessions,
    accessLog: options.accessLog,
    startup: [{ name: "sessions", run: (app) => app.registerCleanup(() => sessions.close()) }],
  });
}
`;

const CONFIG =
  `// Every page below this folder: templates from ../templates, and the session opened and
// locked for the whole request.
import { defineScope } from "@pubkit/publisher";

export default defineScope({ templates: ["../templates"], session: "lock" });
`;

const INDEX =
  `// The home page at /: a visit counter kept in the session, rendered by the embedded engine.
import type { AppReq } from "@pubkit/server";

// \`AppReq\` is the request the app hands to every published function: session, pools, render.
export function index(req: AppReq): Promise<Response> {
  const visits = ((req.session.get("visits") as number | undefined) ?? 0) + 1;
  req.session.set("visits", visits);
  return req.render("index", { title: "My pubkit app", visits });
}
`;

const HELLO = `// A published function: /hello?name=Ada answers "Hello, Ada!".
import type { Req } from "@pubkit/request";

export function index(_req: Req, { name = "world" }: { name?: string }): string {
  return \`Hello, \${name}!\`;
}
`;

const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title><%= it.title %></title>
  <link rel="stylesheet" href="/static/style.css">
</head>
<body>
  <h1><%= it.title %></h1>
  <p>You have visited this page <strong id="visits"><%= it.visits %></strong>
    time<%= it.visits === 1 ? "" : "s" %> in this session.</p>
  <p><a href="/hello?name=pubkit">/hello?name=pubkit</a> is a published function.</p>
</body>
</html>
`;

const STYLE = `body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
`;

const TEST = `import assert from "node:assert/strict";
import { createSiteApp } from "./app.ts";

Deno.test("the home page counts visits in the session", async () => {
  const app = createSiteApp({ accessLog: false });
  try {
    const first = await app.fetch(new Request("http://localhost/"));
    assert.equal(first.status, 200);
    assert.match(await first.text(), /<strong id="visits">1<\\/strong>/);
    const cookie = first.headers.get("set-cookie")?.split(";")[0];
    assert.ok(cookie, "a session cookie is set");
    const second = await app.fetch(new Request("http://localhost/", { headers: { cookie } }));
    assert.match(await second.text(), /<strong id="visits">2<\\/strong>/);
  } finally {
    await app.close();
  }
});

Deno.test("/hello greets by name", async () => {
  const app = createSiteApp({ accessLog: false });
  try {
    const response = await app.fetch(new Request("http://localhost/hello?name=Ada"));
    assert.equal(await response.text(), "Hello, Ada!");
  } finally {
    await app.close();
  }
});

Deno.test("static files are served from static/", async () => {
  const app = createSiteApp({ accessLog: false });
  try {
    const response = await app.fetch(new Request("http://localhost/static/style.css"));
    assert.equal(response.status, 200);
    assert.match(await response.text(), /font-family/);
  } finally {
    await app.close();
  }
});
`;

/** The files of a new app that depends on pubkit `^version`. */
export function projectFiles(version: string = PUBKIT_VERSION): Record<string, string> {
  const imports = Object.fromEntries(
    ["request", "publisher", "session", "server"].map((member) => [
      `@pubkit/${member}`,
      `jsr:@pubkit/${member}@^${version}`,
    ]),
  );
  const denoJson = {
    tasks: {
      serve: "deno run -A --unstable-no-legacy-abort main.ts",
      test: "deno test -A --unstable-no-legacy-abort",
    },
    imports,
  };
  return {
    "deno.json": JSON.stringify(denoJson, null, 2) + "\n",
    "main.ts": MAIN,
    "app.ts": APP,
    "app_test.ts": TEST,
    "pages/_config.ts": CONFIG,
    "pages/index.ts": INDEX,
    "pages/hello.ts": HELLO,
    "templates/index.ehtml": TEMPLATE,
    "static/style.css": STYLE,
  };
}
