// The notes board as a user sees it: headless Chromium (Debian's package, driven by
// playwright-core; never a browser download) against the example app on a real socket.
import { chromium, type Page } from "playwright-core";
import assert from "node:assert/strict";
import { ARGS, IGNORE_WITHOUT_CHROMIUM, requireChromium } from "./_chromium.ts";
import { createNotesApp, NOTES_CSP } from "../../example/app.ts";
import { formatLogRecord } from "@pubkit/server";

const OUTPUT = new URL("./output/", import.meta.url);

async function signUp(page: Page, base: URL, name: string, password: string): Promise<void> {
  await page.goto(new URL("/account/signup", base).href);
  await page.fill("input[name=name]", name);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(/\/notes$/), page.click("button:has-text('Sign up')")]);
}

async function logIn(page: Page, base: URL, name: string, password: string): Promise<void> {
  await page.goto(new URL("/account/login", base).href);
  await page.fill("input[name=name]", name);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(/\/notes$/), page.click("main button:has-text('Log in')")]);
}

async function logOut(page: Page): Promise<void> {
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/"),
    page.click("header button:has-text('Log out')"),
  ]);
}

async function postNote(page: Page, title: string, text: string): Promise<void> {
  await page.fill("#new-note input[name=title]", title);
  await page.fill("#new-note textarea[name=text]", text);
  await Promise.all([page.waitForURL(/\/notes$/), page.click("#new-note button")]);
}

Deno.test({
  name: "notes board in Chromium: sign up, log in, post, refuse a forged POST, log out " +
    "(needs Chromium)",
  ignore: IGNORE_WITHOUT_CHROMIUM,
  async fn(t) {
    const executablePath = requireChromium();
    const started = performance.now();
    const dataDir = await Deno.makeTempDir({ prefix: "pubkit-e2e-" });
    const logs: string[] = [];
    const app = await createNotesApp({
      dataDir,
      log: (record) => logs.push(formatLogRecord(record).trimEnd()),
    });
    const stop = new AbortController();
    const { promise: listening, resolve: onListen } = Promise.withResolvers<URL>();
    const served = app.serve({ port: 0, signal: stop.signal, handleSignals: false, onListen });
    // A page on another origin (another port) that posts to the board without the CSRF token.
    const evil = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
      const target = new URL(request.url).searchParams.get("target") ?? "";
      return new Response(
        `<!doctype html><title>Free prizes</title>
         <form id="f" method="post" action="${target}">
           <input name="title" value="forged"><input name="text" value="forged note">
         </form><script>document.getElementById("f").submit()</script>`,
        { headers: { "content-type": "text/html; charset=utf-8" } },
      );
    });
    let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
    try {
      const base = await listening;
      browser = await chromium.launch({ executablePath, args: ARGS, timeout: 20_000 });
      const context = await browser.newContext({ viewport: { width: 960, height: 760 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      // Chromium reports every Content-Security-Policy violation on the console.
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });

      await t.step("home page renders with the stylesheet", async () => {
        const response = await page.goto(base.href);
        assert.equal(response?.status(), 200);
        assert.equal(response?.headers()["content-security-policy"], NOTES_CSP);
        assert.equal(await page.title(), "pubkit notes");
        assert.equal(await page.textContent("#visits"), "1");
        // Strings, not functions: the test is type-checked without the DOM library.
        const rules = await page.evaluate("document.styleSheets[0]?.cssRules.length ?? 0");
        assert.ok(Number(rules) > 0, "site.css loaded and parsed");
      });

      await t.step("sign up lands on the (empty) board, logged in", async () => {
        await signUp(page, base, "grace", "compilers-1952");
        assert.equal(await page.textContent("header .who"), "@grace");
        assert.match((await page.textContent("p.empty")) ?? "", /No notes yet/);
      });

      await t.step("log out, then log in again", async () => {
        await logOut(page);
        assert.equal(await page.locator("header .who").count(), 0);
        await logIn(page, base, "grace", "compilers-1952");
        assert.equal(await page.textContent("header .who"), "@grace");
      });

      await t.step("a wrong password is refused with a message", async () => {
        const other = await context.browser()!.newContext();
        try {
          const tab = await other.newPage();
          await tab.goto(new URL("/account/login", base).href);
          await tab.fill("input[name=name]", "grace");
          await tab.fill("input[name=password]", "not-her-password");
          const [response] = await Promise.all([
            tab.waitForResponse((r) => r.url().endsWith("/account/login") && r.status() !== 200),
            tab.click("main button:has-text('Log in')"),
          ]);
          assert.equal(response.status(), 401);
          assert.match(await tab.textContent("body") ?? "", /wrong user name or password/);
        } finally {
          await other.close();
        }
      });

      await t.step("post notes and see them listed newest first", async () => {
        await postNote(page, "Bug found", "A moth in relay 70, panel F. First actual case.");
        await postNote(page, "Nanoseconds", "Hand out 30 cm of wire: how far light goes in 1 ns.");
        const titles = await page.locator("li.note h2").allTextContents();
        assert.deepEqual(titles, ["Nanoseconds", "Bug found"]);
        assert.match(await page.textContent("h1") ?? "", /\(2\)/);
      });

      await t.step("a forged cross-origin POST without the CSRF token gets 403", async () => {
        const target = new URL("/notes/add", base).href;
        const evilUrl = `http://127.0.0.1:${evil.addr.port}/?target=${encodeURIComponent(target)}`;
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url() === target && r.request().method() === "POST"),
          page.goto(evilUrl),
        ]);
        // The browser says where the form came from, so the site check answers first.
        assert.equal(response.status(), 403);
        assert.equal(
          (await response.text()).trim(),
          "Cannot accept this form: it was sent from another site",
        );
        // The same from script on the board's own origin, with a wrong token.
        await page.goto(new URL("/notes", base).href);
        const status = await page.evaluate(async () => {
          const body = new URLSearchParams({ csrf: "wrong", title: "x", text: "y" });
          const r = await fetch("/notes/add", { method: "POST", body });
          return [r.status, await r.text()];
        });
        assert.deepEqual(status, [
          403,
          "Cannot accept this form: its CSRF token is missing or wrong\n",
        ]);
        await page.reload();
        const titles = await page.locator("li.note h2").allTextContents();
        assert.deepEqual(titles, ["Nanoseconds", "Bug found"], "no forged note was stored");
      });

      await t.step("a second user's note; only one's own notes have Delete", async () => {
        await logOut(page);
        await signUp(page, base, "ada", "engines-1843");
        await postNote(page, "Note G", "The first published algorithm: Bernoulli numbers.");
        const notes = page.locator("li.note");
        assert.equal(await notes.count(), 3);
        assert.equal(await notes.nth(0).locator("button:has-text('Delete')").count(), 1);
        assert.equal(await notes.nth(1).locator("button:has-text('Delete')").count(), 0);
      });

      await t.step("screenshot of the notes page", async () => {
        await Deno.mkdir(OUTPUT, { recursive: true });
        const path = new URL("notes.png", OUTPUT).pathname;
        await page.screenshot({ path, fullPage: true });
        const png = await Deno.readFile(path);
        assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
        assert.ok(png.length > 10_000, `a real picture, not ${png.length} bytes`);
      });

      await t.step("after logging out, the notes page sends you to log in", async () => {
        await logOut(page);
        const response = await page.goto(new URL("/notes", base).href);
        assert.equal(new URL(page.url()).pathname, "/account/login");
        assert.equal(response?.status(), 200);
        assert.equal(await page.textContent("main h1"), "Log in");
        // And the "mine" view is refused the same way.
        await page.goto(new URL("/notes/mine", base).href);
        assert.equal(new URL(page.url()).pathname, "/account/login");
      });

      await t.step("no page broke the strict CSP (and a violation would be seen)", async () => {
        assert.deepEqual(violations, []);
        // The control: an off-site image is refused by img-src and reported.
        await page.evaluate(
          `document.body.insertAdjacentHTML("beforeend", '<img src="http://192.0.2.1/x.png">')`,
        );
        const deadline = Date.now() + 5_000;
        while (violations.length === 0 && Date.now() < deadline) await page.waitForTimeout(50);
        assert.equal(violations.length, 1, violations.join("\n"));
        assert.match(violations[0], /img-src/);
      });

      const seconds = (performance.now() - started) / 1000;
      assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
    } finally {
      await browser?.close();
      stop.abort();
      await served;
      await evil.shutdown();
      await Deno.remove(dataDir, { recursive: true });
    }
    assert.ok(!logs.some((line) => / 500 /.test(line)), `no 500s:\n${logs.join("\n")}`);
  },
});
