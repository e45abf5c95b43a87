// What the notes app keeps private: HttpOnly cookies on /request, passwords as typed, its data
// files, and bodies no larger than each form needs.
import assert from "node:assert/strict";
import { notesFixture } from "./_testing.ts";

Deno.test("/request hides the values of the HttpOnly cookies and shows the others", async () => {
  await using fx = await notesFixture();
  const client = fx.client();
  client.setCookie("csrf", "nonce-of-an-anonymous-visitor");
  await client.signUp("ada");
  client.setCookie("theme", "dark");
  const page = await client.request("/request");
  assert.equal(page.status, 200);
  const sid = client.sid!;
  assert.ok(!page.text.includes(sid), "the session id is not on the page");
  assert.ok(!page.text.includes(sid.split(".")[0]), "nor any part of it");
  assert.match(page.text, /<th[^>]*>sid<\/th>\s*<td[^>]*>\(hidden: HttpOnly\)<\/td>/);
  assert.ok(!page.text.includes("nonce-of-an-anonymous-visitor"), "the CSRF nonce is hidden too");
  assert.match(page.text, /<th[^>]*>theme<\/th>\s*<td[^>]*>dark<\/td>/);
});

Deno.test("a password with spaces around it signs up and logs in exactly as typed", async () => {
  await using fx = await notesFixture();
  await fx.client().signUp("ada", "  spaced out  ");
  const login = (password: string) =>
    fx.client().post("/account/login", { name: "ada", password }).then((page) => page.status);
  assert.equal(await login("  spaced out  "), 303);
  assert.equal(await login("spaced out"), 401, "the trimmed password is another password");
  // Only the length is checked: eight spaces are eight characters.
  const short = await fx.client().post("/account/signup", { name: "bob", password: "  short" });
  assert.equal(short.status, 400);
  assert.equal(short.text, "Cannot accept the password: it must have at least 8 characters\n");
  await fx.client().signUp("carol", " ".repeat(8));
});

Deno.test("the data folder and its files are private to the app's user (0700, 0600)", async () => {
  await using fx = await notesFixture();
  // A note written means the SQLite write-ahead log and its index exist too.
  const ada = fx.client();
  await ada.signUp("ada");
  await ada.addNote("private");
  const mode = async (path: string) => (await Deno.stat(`${fx.dataDir}/${path}`)).mode! & 0o777;
  for (const folder of [".", "sessions"]) assert.equal(await mode(folder), 0o700, folder);
  for (const file of ["notes.db", "notes.db-wal", "notes.db-shm", "session-secret"]) {
    assert.equal(await mode(file), 0o600, file);
  }
  // A session file is written to a temporary name and renamed: one listed may be gone when
  // looked at, so only the files still there are checked (and there must be one).
  let checked = 0;
  for await (const entry of Deno.readDir(`${fx.dataDir}/sessions`)) {
    const fileMode = await mode(`sessions/${entry.name}`).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    });
    if (fileMode === undefined) continue;
    assert.equal(fileMode, 0o600, entry.name);
    checked++;
  }
  assert.ok(checked > 0, "a session file was checked");
});

Deno.test("the data folder is made private on start even when it existed with looser modes", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-modes-" });
  try {
    await Deno.chmod(dataDir, 0o755);
    await Deno.writeTextFile(`${dataDir}/notes.db`, "", { mode: 0o644 });
    await Deno.chmod(`${dataDir}/notes.db`, 0o644);
    await using fx = await notesFixture({ dataDir });
    await fx.client().signUp("ada");
    assert.equal((await Deno.stat(dataDir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${dataDir}/notes.db`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("each form takes the smallest body its page needs; multipart only on /request", async (t) => {
  await using fx = await notesFixture();
  const ada = fx.client();
  await ada.signUp("ada", "€".repeat(200));
  const token = await ada.csrf("/notes");

  await t.step("the largest real forms pass", async () => {
    // Three bytes a character, percent-encoded: the worst case each limit was sized for.
    const note = await ada.request("/notes/add", {
      form: { csrf: token, title: "€".repeat(100), text: "€".repeat(2000) },
    });
    assert.equal(note.status, 303);
    const login = await fx.client().post("/account/login", {
      name: "ada",
      password: "€".repeat(200),
    });
    assert.equal(login.status, 303);
  });

  const refused: [string, string, Record<string, string>][] = [
    ["a note's text past its 2,000 characters' bytes", "/notes/add", {
      csrf: token,
      title: "t",
      text: "€".repeat(2049),
    }],
    ["a log-in body past 4 KiB", "/account/login", {
      csrf: token,
      name: "ada",
      password: "€".repeat(500),
    }],
    ["an extra field on log-in", "/account/login", {
      csrf: token,
      name: "a",
      password: "b",
      x: "1",
    }],
  ];
  for (const [name, path, form] of refused) {
    await t.step(`${name}: 413`, async () => {
      const page = await ada.request(path, { form });
      assert.equal(page.status, 413, page.text);
    });
  }

  const multipart = (path: string) => {
    const body = new FormData();
    body.set("csrf", token);
    body.set("upload", new File(["hello"], "hello.txt"));
    const headers = { cookie: `sid=${ada.sid}` };
    return fx.app.fetch(new Request(`http://localhost${path}`, { method: "POST", body, headers }));
  };
  for (const path of ["/account/login", "/account/signup", "/notes/add"]) {
    await t.step(`multipart to ${path}: 413`, async () => {
      const response = await multipart(path);
      await response.body?.cancel();
      assert.equal(response.status, 413);
    });
  }
  await t.step("a body sent to the home page (which takes no fields) is never read", async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const response = await fx.app.fetch(
      new Request("http://localhost/", {
        method: "POST",
        body,
        headers: { cookie: `sid=${ada.sid}`, "content-type": "application/x-www-form-urlencoded" },
      }),
    );
    await response.body?.cancel();
    assert.ok(response.status < 500, `status ${response.status}`);
    assert.ok(pulled <= 1, `the body was read (${pulled} chunks pulled)`);
  });
  await t.step("multipart to /request: shown", async () => {
    const response = await multipart("/request");
    assert.equal(response.status, 200);
    assert.match(await response.text(), /file hello\.txt \(5 bytes\)/);
  });
});

Deno.test("sign-up of a taken name answers 409 after a full hash, as long as a free name takes", async () => {
  await using fx = await notesFixture();
  await fx.client().signUp("ada");
  const fastest = async (name: () => string, status: number) => {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const client = fx.client();
      const token = await client.csrf("/account/signup");
      const started = performance.now();
      const page = await client.request("/account/signup", {
        form: { csrf: token, name: name(), password: "correct horse" },
      });
      best = Math.min(best, performance.now() - started);
      assert.equal(page.status, status, page.text);
    }
    return best;
  };
  let n = 0;
  const free = await fastest(() => `free${n++}`, 303);
  const taken = await fastest(() => "ada", 409);
  assert.ok(taken > free / 2, `taken ${taken.toFixed(1)} ms vs free ${free.toFixed(1)} ms`);
});
