import assert from "node:assert/strict";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { createApp } from "./app.ts";

const SECRET = "a test secret of at least thirty-two characters";

/** A published root with a scope that opens a session and has templates of both engines. */
async function makeRoot(): Promise<string> {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/pages/counter`, { recursive: true });
  await Deno.mkdir(`${root}/views`);
  await Deno.mkdir(`${root}/static`);
  await Deno.writeTextFile(`${root}/static/site.css`, "body{}");
  await Deno.writeTextFile(
    `${root}/views/count.ehtml`,
    "<p>visits: <%= it.req.session.get('visits') %>, <%= it.note %></p>",
  );
  await Deno.writeTextFile(`${root}/views/list.html`, '<ul><li data-node="rep:item">x</li></ul>');
  await Deno.writeTextFile(
    `${root}/pages/counter/_config.ts`,
    `export default { session: "lock", templates: ["../../views"] };`,
  );
  await Deno.writeTextFile(
    `${root}/pages/counter/index.ts`,
    `export async function index(req) {
       req.session.set("visits", (req.session.get("visits") ?? 0) + 1);
       return req.render("count", { note: "<b>" });
     }
     export function list(req) {
       return req.fill("list", (page) => page.node("item").repeat(["a<", "b"], (li, v) => li.text(v)));
     }`,
  );
  await Deno.writeTextFile(`${root}/pages/index.ts`, `export const index = () => "home";`);
  await Deno.writeTextFile(
    `${root}/pages/_config.ts`,
    `export default { startup: (app) => { app.startedBy = "root scope"; } };`,
  );
  return root;
}

Deno.test("createApp({ publish }) serves published functions with scopes, templates and static files", async (t) => {
  const root = await makeRoot();
  const sessions = new SessionManager({
    store: new MemoryStore({ sweepInterval: 0 }),
    secrets: [SECRET],
  });
  const app = createApp({
    publish: { root: `${root}/pages` },
    static: { prefix: "/static/", dir: `${root}/static` },
    sessions,
    accessLog: false,
    log: () => {},
  });
  try {
    await t.step("a _config.ts start-up hook ran before the first request", async () => {
      await app.start();
      assert.equal((app as unknown as { startedBy: string }).startedBy, "root scope");
    });
    await t.step(
      "the scope opens a locked session and the embedded template reads it",
      async () => {
        const first = await app.fetch(new Request("http://localhost/counter/"));
        assert.equal(first.headers.get("content-type"), "text/html; charset=utf-8");
        assert.equal(await first.text(), "<p>visits: 1, &lt;b&gt;</p>");
        const cookie = first.headers.get("set-cookie")!.split(";")[0];
        const second = await app.fetch(
          new Request("http://localhost/counter/", { headers: { cookie } }),
        );
        assert.equal(await second.text(), "<p>visits: 2, &lt;b&gt;</p>");
      },
    );
    await t.step("the fill engine renders a list, escaped", async () => {
      const response = await app.fetch(new Request("http://localhost/counter/list"));
      assert.equal(await response.text(), "<ul><li>a&lt;</li><li>b</li></ul>");
    });
    await t.step("static files come first; unknown paths are 404", async () => {
      const css = await app.fetch(new Request("http://localhost/static/site.css"));
      assert.equal(await css.text(), "body{}");
      const missing = await app.fetch(new Request("http://localhost/nope"));
      assert.equal(missing.status, 404);
      await missing.text();
      const home = await app.fetch(new Request("http://localhost/"));
      assert.equal(await home.text(), "home");
    });
  } finally {
    await app.close();
    await sessions.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a published function answers HEAD over HTTP with GET's Content-Length and no body", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${root}/index.ts`,
    `export const text = () => "héllo, wörld";
     export const page = () => "<p>café</p>";
     export const bytes = () => new Uint8Array(5);
     export const stream = () => ReadableStream.from([new Uint8Array([1, 2])]);`,
  );
  const app = createApp({ publish: { root }, accessLog: false });
  const controller = new AbortController();
  const { promise: listening, resolve: listen } = Promise.withResolvers<URL>();
  const served = app.serve({
    port: 0,
    signal: controller.signal,
    handleSignals: false,
    onListen: listen,
  });
  try {
    const url = await listening;
    for (
      const [path, length] of [["/text", "14"], ["/page", "12"], ["/bytes", "5"], ["/stream", null]]
    ) {
      const get = await fetch(new URL(path!, url));
      const body = await get.bytes();
      assert.equal(get.headers.get("content-length"), length, `GET ${path}`);
      if (length !== null) assert.equal(String(body.length), length);
      const head = await fetch(new URL(path!, url), { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get("content-type"), get.headers.get("content-type"));
      // The length GET sends, or none for a stream: never a false `0`.
      assert.equal(head.headers.get("content-length"), length, `HEAD ${path}`);
      assert.equal((await head.bytes()).length, 0);
    }
  } finally {
    controller.abort();
    await served;
    await Deno.remove(root, { recursive: true });
  }
});
