import assert from "node:assert/strict";
import { type AppReq, createApp } from "@pubkit/server";
import { FileStore, SessionManager } from "@pubkit/session";
import { checkCsrf, csrfToken } from "./csrf.ts";

const MESSAGE = "Cannot accept this form: its CSRF token is missing or wrong";

/** A tiny app: GET /form shows a token, POST /act checks it, POST /login regenerates. */
async function csrfApp() {
  const dir = await Deno.makeTempDir({ prefix: "pubkit-csrf-" });
  const sessions = new SessionManager({
    store: new FileStore({ dir, fsync: false }),
    secrets: ["a secret of at least thirty-two characters"],
  });
  const app = createApp({
    sessions,
    accessLog: false,
    handler: async (req: AppReq) => {
      const session = await req.openSession();
      if (req.path === "/form") return csrfToken(req);
      await checkCsrf(req);
      if (req.path === "/login") {
        await session.regenerate();
        session.set("user", "ada");
      }
      return "ok";
    },
  });
  let cookies = new Map<string, string>();
  const visit = async (path: string, init: { csrf?: string; query?: string } = {}) => {
    const body = init.csrf === undefined ? undefined : new URLSearchParams({ csrf: init.csrf });
    const response = await app.fetch(
      new Request(`http://localhost${path}${init.query ?? ""}`, {
        method: path === "/form" ? "GET" : "POST",
        body,
        headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") },
      }),
    );
    for (const line of response.headers.getSetCookie()) {
      const [name, value] = line.split(";")[0]!.split("=") as [string, string];
      cookies.set(name, value);
    }
    return { status: response.status, text: await response.text() };
  };
  return {
    visit,
    newVisitor: () => cookies = new Map(),
    files: () => Array.from(Deno.readDirSync(dir), (entry) => entry.name),
    async [Symbol.asyncDispose]() {
      await app.close();
      await sessions.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("csrfToken(): an anonymous visitor's token costs no session write", async () => {
  await using env = await csrfApp();
  const { text: token } = await env.visit("/form");
  for (let i = 0; i < 5; i++) assert.equal((await env.visit("/form")).text, token);
  assert.deepEqual((await env.visit("/act", { csrf: token })).text, "ok");
  assert.deepEqual(env.files().filter((name) => !name.startsWith(".writer-")), []);
});

Deno.test("csrfToken() is derived from the session id and rotates at regenerate()", async () => {
  await using env = await csrfApp();
  const anonymous = (await env.visit("/form")).text;
  assert.equal((await env.visit("/login", { csrf: anonymous })).text, "ok");
  const signedIn = (await env.visit("/form")).text;
  assert.notEqual(signedIn, anonymous);
  assert.equal((await env.visit("/act", { csrf: signedIn })).text, "ok");
  // The pre-login token is dead once the session id changed.
  assert.deepEqual(await env.visit("/act", { csrf: anonymous }), {
    status: 403,
    text: `${MESSAGE}\n`,
  });
  assert.equal((await env.visit("/login", { csrf: signedIn })).text, "ok");
  const again = (await env.visit("/form")).text;
  assert.notEqual(again, signedIn);
  assert.equal((await env.visit("/act", { csrf: signedIn })).status, 403);
});

Deno.test("checkCsrf() refuses anything but the right token in the form body with 403", async (t) => {
  await using env = await csrfApp();
  env.newVisitor();
  const others = (await env.visit("/form")).text;
  env.newVisitor();
  const token = (await env.visit("/form")).text;
  const refused: [string, string | undefined][] = [
    ["missing", undefined],
    ["empty", ""],
    ["another visitor's", others],
    ["one character off", token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")],
    ["a prefix", token.slice(0, 10)],
    ["longer", token + "A"],
  ];
  for (const [name, csrf] of refused) {
    await t.step(`${name} token → 403`, async () => {
      assert.deepEqual(await env.visit("/act", { csrf }), { status: 403, text: `${MESSAGE}\n` });
    });
  }
  await t.step("the right token in the query string → 403", async () => {
    const query = `?csrf=${token}`;
    assert.equal((await env.visit("/act", { query })).status, 403);
    const both = await env.visit("/act", { query, csrf: token });
    assert.deepEqual(both, {
      status: 403,
      text: "Cannot accept this form: a CSRF token belongs in the body, not the URL\n",
    });
  });
  await t.step("the right token in the body passes", async () => {
    assert.equal((await env.visit("/act", { csrf: token })).text, "ok");
  });
});
