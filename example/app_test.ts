import assert from "node:assert/strict";
import { notesFixture, titles } from "./_testing.ts";

const CSRF_MESSAGE = "Cannot accept this form: its CSRF token is missing or wrong\n";

Deno.test("notes board: sign up, log out and log in; the session id changes at login", async (t) => {
  await using fx = await notesFixture();
  const ada = fx.client();

  await t.step("sign up regenerates the session and lands on the board", async () => {
    const token = await ada.csrf("/account/signup");
    await ada.csrf("/account/login");
    // Anonymous page views cost nothing: no session cookie, no session file.
    assert.equal(ada.sid, undefined);
    const stored = async () =>
      (await Array.fromAsync(Deno.readDir(`${fx.dataDir}/sessions`)))
        .filter((entry) => entry.name.endsWith(".json")).length;
    assert.equal(await stored(), 0);
    const page = await ada.request("/account/signup", {
      form: { csrf: token, name: "ada", password: "analytical" },
    });
    assert.equal(page.status, 303);
    assert.equal(page.location, "/notes");
    assert.ok(ada.sid, "a session after sign-up");
    assert.equal(await stored(), 1);
    const board = await ada.request("/notes");
    assert.equal(board.status, 200);
    assert.match(board.text, /<span class="who">@ada<\/span>/);
  });

  await t.step("a taken name is refused with 409", async () => {
    const other = fx.client();
    const page = await other.post("/account/signup", { name: "ada", password: "something" });
    assert.equal(page.status, 409);
    assert.equal(page.text, "Cannot sign up as ada: the name is taken\n");
  });

  await t.step("logout invalidates the session on the server", async () => {
    const loggedIn = ada.sid!;
    const page = await ada.post("/account/logout", {}, "/notes");
    assert.equal(page.status, 303);
    assert.equal(page.location, "/");
    assert.equal((await ada.request("/notes")).location, "/account/login");
    // Even a client that kept the old cookie is logged out.
    const keeper = fx.client();
    keeper.setCookie("sid", loggedIn);
    const refused = await keeper.request("/notes");
    assert.equal(refused.status, 303);
    assert.equal(refused.location, "/account/login");
  });

  await t.step("log in regenerates the session id", async () => {
    const token = await ada.csrf("/account/login");
    const before = ada.sid;
    const page = await ada.request("/account/login", {
      form: { csrf: token, name: "ada", password: "analytical" },
    });
    assert.equal(page.status, 303);
    assert.equal(page.location, "/notes");
    assert.ok(ada.sid && ada.sid !== before, "a new session id after login");
    assert.equal((await ada.request("/notes")).status, 200);
  });

  await t.step("wrong password and unknown user get the same 401", async () => {
    const eve = fx.client();
    const wrong = await eve.post("/account/login", { name: "ada", password: "guess-guess" });
    const unknown = await eve.post("/account/login", { name: "nobody", password: "guess-guess" });
    for (const page of [wrong, unknown]) {
      assert.equal(page.status, 401);
      assert.equal(page.text, "Cannot log in: wrong user name or password\n");
    }
    assert.equal((await eve.request("/notes")).location, "/account/login");
  });

  const stored = await fx.sessionData(ada);
  assert.deepEqual((stored?.user as { name: string }).name, "ada");
});

Deno.test("notes board: a missing or wrong CSRF token is refused with 403", async (t) => {
  await using fx = await notesFixture();
  const ada = fx.client();
  await ada.signUp("ada");
  const eve = fx.client();
  const evesToken = await eve.csrf();

  const forms: [string, Record<string, string>][] = [
    ["/notes/add", { title: "t", text: "x" }],
    ["/notes/remove", { id: "1" }],
    ["/account/logout", {}],
  ];
  for (const [path, form] of forms) {
    await t.step(`${path} without a token`, async () => {
      const page = await ada.request(path, { form });
      assert.equal(page.status, 403);
      assert.equal(page.text, CSRF_MESSAGE);
    });
    await t.step(`${path} with a wrong token`, async () => {
      const page = await ada.request(path, { form: { ...form, csrf: "x".repeat(36) } });
      assert.equal(page.status, 403);
      assert.equal(page.text, CSRF_MESSAGE);
    });
    await t.step(`${path} with another session's token`, async () => {
      const page = await ada.request(path, { form: { ...form, csrf: evesToken } });
      assert.equal(page.status, 403);
      assert.equal(page.text, CSRF_MESSAGE);
    });
  }
  await t.step("sign-up and login forms check the token too", async () => {
    for (const path of ["/account/signup", "/account/login"]) {
      const page = await eve.request(path, { form: { name: "eve", password: "password1" } });
      assert.equal(page.status, 403);
      assert.equal(page.text, CSRF_MESSAGE);
    }
  });
  // Nothing happened: ada is still logged in and the board is empty.
  const board = await ada.request("/notes");
  assert.equal(board.status, 200);
  assert.deepEqual(titles(board.text), []);
});

Deno.test("notes board: length limits answer 400 with a message naming the field", async (t) => {
  await using fx = await notesFixture();
  const ada = fx.client();
  await ada.signUp("ada");
  const cases: [string, string, Record<string, string>, string][] = [
    [
      "empty title",
      "/notes/add",
      { title: "  ", text: "x" },
      "the title: it must have at least 1 character",
    ],
    [
      "long title",
      "/notes/add",
      { title: "t".repeat(101), text: "x" },
      "the title: it must have at most 100 characters",
    ],
    [
      "empty text",
      "/notes/add",
      { title: "t", text: "" },
      "the text: it must have at least 1 character",
    ],
    [
      "long text",
      "/notes/add",
      { title: "t", text: "x".repeat(2001) },
      "the text: it must have at most 2000 characters",
    ],
    [
      "short name",
      "/account/signup",
      { name: "ab", password: "password1" },
      "the user name: it must have at least 3 characters",
    ],
    [
      "long name",
      "/account/signup",
      { name: "a".repeat(33), password: "password1" },
      "the user name: it must have at most 32 characters",
    ],
    [
      "odd name",
      "/account/signup",
      { name: "ada lovelace", password: "password1" },
      "the user name: use letters, digits, _ and - only",
    ],
    [
      "short password",
      "/account/signup",
      { name: "grace", password: "1234567" },
      "the password: it must have at least 8 characters",
    ],
  ];
  for (const [name, path, form, message] of cases) {
    await t.step(name, async () => {
      const page = await ada.post(path, form, "/notes");
      assert.equal(page.status, 400);
      assert.equal(
        page.text,
        `Cannot accept ${message}\n`,
      );
    });
  }
  await t.step("the limits themselves are accepted", async () => {
    await ada.addNote("t".repeat(100), "x".repeat(2000));
    assert.deepEqual(titles((await ada.request("/notes")).text), ["t".repeat(100)]);
  });
});

Deno.test("notes board: notes are listed newest first, ten a page", async () => {
  await using fx = await notesFixture();
  const ada = fx.client();
  await ada.signUp("ada");
  for (let i = 1; i <= 23; i++) await ada.addNote(`note ${i}`);
  const page = async (n: number) => {
    const answer = await ada.request(`/notes?page=${n}`);
    assert.equal(answer.status, 200);
    return answer.text;
  };
  const first = await page(1);
  assert.deepEqual(titles(first), Array.from({ length: 10 }, (_, i) => `note ${23 - i}`));
  assert.match(first, /page 1 of 3/);
  assert.match(first, /<a rel="next" href="\/notes\?page=2">/);
  assert.doesNotMatch(first, /rel="prev"/);
  assert.deepEqual(titles(await page(2)), Array.from({ length: 10 }, (_, i) => `note ${13 - i}`));
  const last = await page(3);
  assert.deepEqual(titles(last), ["note 3", "note 2", "note 1"]);
  assert.match(last, /<a rel="prev" href="\/notes\?page=2">/);
  assert.doesNotMatch(last, /rel="next"/);
  assert.deepEqual(titles(await page(4)), []);
  const zero = await ada.request("/notes?page=0");
  assert.equal(zero.status, 400);
  assert.equal(zero.text, "Cannot show the notes: page must be 1 or more\n");
  assert.equal((await ada.request("/notes?page=two")).status, 400);
});

Deno.test("notes board: one may delete one's own note, not someone else's (403)", async () => {
  await using fx = await notesFixture();
  const ada = fx.client();
  const bob = fx.client();
  await ada.signUp("ada");
  await bob.signUp("bob");
  await ada.addNote("by ada");
  await bob.addNote("by bob");
  const board = (await ada.request("/notes")).text;
  const ids = [...board.matchAll(/name="id" value="(\d+)"/g)].map((m) => m[1]);
  assert.equal(ids.length, 1, "ada sees one Delete button: her own note's");
  const [adasId] = ids;
  const bobsId = String(Number(adasId) + 1);

  const forbidden = await ada.post("/notes/remove", { id: bobsId }, "/notes");
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.text, "Cannot delete this note: it is not yours\n");
  const missing = await ada.post("/notes/remove", { id: "999" }, "/notes");
  assert.equal(missing.status, 404);
  assert.equal(missing.text, "Cannot delete this note: it does not exist\n");

  const deleted = await ada.post("/notes/remove", { id: adasId }, "/notes");
  assert.equal(deleted.status, 303);
  assert.deepEqual(titles((await bob.request("/notes")).text), ["by bob"]);
});

Deno.test("notes board: /notes/mine redirects internally to /views/mine; both session writes persist", async (t) => {
  await using fx = await notesFixture();
  const ada = fx.client();
  const bob = fx.client();
  await ada.signUp("ada");
  await bob.signUp("bob");
  await ada.addNote("first");
  await bob.addNote("by bob");
  await ada.addNote("second");

  const within = <T>(ms: number, promise: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Cannot finish: over ${ms} ms (deadlock?)`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  await t.step("the view shows the controller's data", async () => {
    const page = await within(10_000, ada.request("/notes/mine"));
    assert.equal(page.status, 200);
    assert.match(page.text, /Notes by @<span[^>]*>ada<\/span>/);
    const listed = [...page.text.matchAll(/<strong[^>]*>([^<]*)<\/strong>/g)].map((m) => m[1]);
    assert.deepEqual(listed, ["second", "first"]);
    assert.doesNotMatch(page.text, /You have not posted anything yet/);
    assert.match(page.text, /opened this view <span[^>]*>1<\/span>/);
  });

  await t.step("both the controller's and the view's writes are stored", async () => {
    const data = await fx.sessionData(ada);
    assert.equal(data?.mineViews, 1);
    assert.equal(typeof data?.lastViewedMine, "string");
    assert.ok(Date.now() - Date.parse(data!.lastViewedMine as string) < 60_000);
  });

  await t.step("concurrent requests of one session are serialized, none lost", async () => {
    await within(20_000, Promise.all(Array.from({ length: 5 }, () => ada.request("/notes/mine"))));
    assert.equal((await fx.sessionData(ada))?.mineViews, 6);
  });

  await t.step("a user with no notes sees the empty message", async () => {
    const carol = fx.client();
    await carol.signUp("carol");
    const page = await within(10_000, carol.request("/notes/mine"));
    assert.match(page.text, /You have not posted anything yet/);
  });

  await t.step("the view is not reachable directly (404), logged in or not", async () => {
    for (const client of [ada, fx.client()]) {
      const page = await client.request("/views/mine");
      assert.equal(page.status, 404);
    }
    assert.equal((await fx.sessionData(ada))?.mineViews, 6, "the direct hit wrote nothing");
  });
});

Deno.test("notes board: static files carry validators and answer 304", async (t) => {
  await using fx = await notesFixture();
  const client = fx.client();
  for (
    const [path, type] of [["/static/site.css", /^text\/css/], [
      "/static/favicon.svg",
      /^image\/svg\+xml/,
    ]] as const
  ) {
    await t.step(path, async () => {
      const page = await client.request(path);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", type);
      const etag = page.headers.get("etag");
      const modified = page.headers.get("last-modified");
      assert.ok(etag && modified, "ETag and Last-Modified are set");
      const file = await Deno.readTextFile(new URL(`.${path}`, import.meta.url));
      assert.equal(page.text, file);
      const byTag = await client.request(path, { headers: { "if-none-match": etag } });
      assert.equal(byTag.status, 304);
      assert.equal(byTag.text, "");
      const byDate = await client.request(path, { headers: { "if-modified-since": modified } });
      assert.equal(byDate.status, 304);
      const stale = await client.request(path, { headers: { "if-none-match": '"stale"' } });
      assert.equal(stale.status, 200);
    });
  }
  await t.step("nothing outside the static folder", async () => {
    for (
      const path of [
        "/static/../app.ts",
        "/static/%2e%2e/app.ts",
        "/static/..%2fapp.ts",
        "/static/.hidden",
      ]
    ) {
      const page = await client.request(path);
      assert.ok(page.status === 400 || page.status === 404, `${path}: ${page.status}`);
      assert.doesNotMatch(page.text, /createNotesApp/);
    }
  });
});

Deno.test("notes board: notes and the login survive a restart on the same data folder", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-restart-" });
  try {
    let sid: string | undefined;
    {
      await using fx = await notesFixture({ dataDir });
      const ada = fx.client();
      await ada.signUp("ada");
      await ada.addNote("before the restart");
      sid = ada.sid;
    }
    await using fx = await notesFixture({ dataDir });
    const ada = fx.client();
    ada.setCookie("sid", sid);
    const board = await ada.request("/notes");
    assert.equal(board.status, 200, "still logged in: the secret and the session were kept");
    assert.deepEqual(titles(board.text), ["before the restart"]);
    const fresh = fx.client();
    assert.equal(
      (await fresh.post("/account/login", { name: "ada", password: "correct horse" })).status,
      303,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("notes board: home counts visits, /hello and /request answer", async () => {
  await using fx = await notesFixture();
  const client = fx.client();
  assert.match((await client.request("/")).text, /<strong id="visits">1<\/strong> time in/);
  assert.match((await client.request("/")).text, /<strong id="visits">2<\/strong> times in/);
  const hello = await client.request("/hello?name=%3Cb%3E");
  assert.equal(hello.status, 200);
  assert.equal(hello.text, "Hello, <b>!");
  assert.match(hello.headers.get("content-type") ?? "", /^text\/plain/, "a string is not HTML");
  const page = await client.request("/hello/page?name=%3Cb%3E");
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  assert.match(page.text, /<p>Hello, <b>&lt;b&gt;<\/b>!<\/p>/);
  const request = await client.request("/request?x=1&x=%3Cscript%3E");
  assert.equal(request.status, 200);
  assert.match(request.text, /&lt;script&gt;/);
  assert.doesNotMatch(request.text, /<script>/);
  assert.equal((await client.request("/nope")).status, 404);
  assert.ok(!fx.logs.some((line) => / 500 /.test(line)), fx.logs.join("\n"));
});
