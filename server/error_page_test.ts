import assert from "node:assert/strict";
import { createApp } from "./app.ts";

const ROOT = new URL("./testdata/error_page/pages/", import.meta.url);

Deno.test("errorPage in _config.ts renders the folder's uncaught errors", async (t) => {
  const logged: string[] = [];
  const make = (debug: boolean) =>
    createApp({
      publish: { root: ROOT },
      debug,
      accessLog: false,
      log: (record) => void logged.push(String(record.message[0])),
    });
  const app = make(false);
  const dev = make(true);
  try {
    await t.step("a 500 renders the page with the error and the request id", async () => {
      const response = await app.fetch(new Request("http://localhost/broken/fail"));
      assert.equal(response.status, 500);
      assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
      const id = response.headers.get("x-request-id");
      assert.equal(await response.text(), `<h1>Sorry</h1><p>db &lt;down&gt; (${id})</p>\n`);
      assert.ok(logged.some((line) => line.includes(`[${id}]`)), "the error is still logged");
    });
    await t.step("in development (debug) the stack too", async () => {
      const response = await dev.fetch(new Request("http://localhost/broken/fail"));
      assert.match(await response.text(), /<pre>Error: db &lt;down&gt;\n\s+at /);
    });
    await t.step("an HttpError keeps its own answer", async () => {
      const response = await app.fetch(new Request("http://localhost/broken/missing"));
      assert.equal(response.status, 404);
      assert.equal(await response.text(), "No such note\n");
    });
    await t.step("outside the folder, or turned off with false, the plain 500", async () => {
      for (const path of ["/fail", "/broken/quiet/fail"]) {
        const response = await app.fetch(new Request(`http://localhost${path}`));
        assert.equal(response.status, 500);
        assert.match(await response.text(), /^Internal server error \(request /);
      }
    });
    await t.step("a failing error page falls back to the plain 500 and is logged", async () => {
      const response = await app.fetch(new Request("http://localhost/badpage/fail"));
      assert.equal(response.status, 500);
      assert.match(await response.text(), /^Internal server error/);
      assert.ok(logged.some((line) => line.includes("the error page bad failed")));
    });
  } finally {
    await app.close();
    await dev.close();
  }
});

Deno.test("errorPage must be a template name or false", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${root}/_config.ts`, "export default { errorPage: 42 };");
    await Deno.writeTextFile(`${root}/index.ts`, "export const index = () => 'x';");
    const app = createApp({ publish: { root }, accessLog: false, log: () => {} });
    await assert.rejects(app.start(), /errorPage must be a template name or false/);
    await app.close();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
