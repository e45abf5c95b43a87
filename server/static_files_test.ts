import assert from "node:assert/strict";
import { HttpError, Req } from "@pubkit/request";
import { staticFiles } from "./static_files.ts";

async function withFolder(fn: (dir: string, outside: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/static`);
    await Deno.writeTextFile(`${dir}/static/site.css`, "body{}");
    await Deno.writeTextFile(`${dir}/static/.env`, "SECRET=1");
    await Deno.writeTextFile(`${outside}/secret.txt`, "SECRET=2");
    await Deno.symlink(`${outside}/secret.txt`, `${dir}/static/leak.txt`);
    await fn(`${dir}/static`, outside);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
}

const get = (path: string, headers: HeadersInit = {}) =>
  new Req(new Request(`http://localhost${path}`, { headers }));

Deno.test("staticFiles() answers 304 for a matching ETag or Last-Modified", async () => {
  await withFolder(async (dir) => {
    const serve = staticFiles({ prefix: "/static/", dir });
    const response = (await serve(get("/static/site.css")))!;
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "body{}");
    const etag = response.headers.get("etag")!;
    const lastModified = response.headers.get("last-modified")!;
    assert.equal((await serve(get("/static/site.css", { "if-none-match": etag })))!.status, 304);
    assert.equal(
      (await serve(get("/static/site.css", { "if-modified-since": lastModified })))!.status,
      304,
    );
    const changed = (await serve(get("/static/site.css", { "if-none-match": 'W/"other"' })))!;
    assert.equal(changed.status, 200);
    await changed.body?.cancel();
  });
});

Deno.test("staticFiles() never serves dot-files, parent paths or symlinks out of the folder", async () => {
  await withFolder(async (dir) => {
    const serve = staticFiles({ prefix: "/static/", dir });
    const hostile = ["/static/.env", "/static/%2e%2e/x", "/static/leak.txt"];
    for (const path of hostile) {
      // The URL parser itself may already normalize a path out of the prefix (undefined).
      const outcome = await serve(get(path)).then((r) => r?.status, (e) => e);
      if (outcome === undefined) continue;
      assert.ok(outcome instanceof HttpError, `${path} gave ${outcome}`);
      assert.equal(outcome.status, 404, path);
    }
    await assert.rejects(
      serve(get("/static/%E0%A4%A")),
      (e: unknown) => e instanceof HttpError && e.status === 400,
    );
    assert.equal(await serve(get("/other/site.css")), undefined);
  });
});

Deno.test("staticFiles() refuses encoded slashes, backslashes and NUL in a segment with 400", async () => {
  await withFolder(async (dir) => {
    await Deno.mkdir(`${dir}/sub`);
    await Deno.mkdir(`${dir}/.git`);
    await Deno.writeTextFile(`${dir}/.git/config`, "[core]");
    const serve = staticFiles({ prefix: "/static/", dir });
    for (
      const path of [
        "/static/sub%2f..%2f.env",
        "/static/sub%2F..%2F.git%2Fconfig",
        "/static/sub%5c..%5c.env",
        "/static/..%2fsecret.txt",
        "/static/a%5c..%5cb",
        "/static/site.css%00",
        "/static/sub%0a",
      ]
    ) {
      await assert.rejects(
        serve(get(path)),
        (e: unknown) => e instanceof HttpError && e.status === 400 && /slash/.test(e.message),
        path,
      );
    }
  });
});

Deno.test("staticFiles() serves nothing whose resolved path has a dot-part under the root", async () => {
  await withFolder(async (dir) => {
    await Deno.mkdir(`${dir}/.git`);
    await Deno.writeTextFile(`${dir}/.git/config`, "[core]");
    await Deno.symlink(`${dir}/.git`, `${dir}/repo`);
    await Deno.symlink(`${dir}/.env`, `${dir}/env.txt`);
    const serve = staticFiles({ prefix: "/static/", dir });
    for (const path of ["/static/repo/config", "/static/env.txt"]) {
      await assert.rejects(
        serve(get(path)),
        (e: unknown) => e instanceof HttpError && e.status === 404,
        path,
      );
    }
    const ok = (await serve(get("/static/site.css")))!;
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });
});

Deno.test("staticFiles() answers a Range with 206, past the end with 416", async () => {
  await withFolder(async (dir) => {
    const serve = staticFiles({ prefix: "/static/", dir });
    const part = (await serve(get("/static/site.css", { range: "bytes=1-3" })))!;
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), "bytes 1-3/6");
    assert.equal(part.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(part.headers.get("x-content-type-options"), "nosniff");
    assert.equal(await part.text(), "ody");
    const past = (await serve(get("/static/site.css", { range: "bytes=6-" })))!;
    assert.equal(past.status, 416);
    assert.equal(past.headers.get("content-range"), "bytes */6");
    await past.body?.cancel();
    const whole = (await serve(get("/static/site.css")))!;
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    assert.equal(await whole.text(), "body{}");
  });
});

Deno.test("staticFiles() takes a file: URL whose path has a space or non-ASCII", async () => {
  const parent = await Deno.makeTempDir();
  try {
    const dir = `${parent}/site ä/static`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/a.txt`, "A");
    const serve = staticFiles({ prefix: "/static/", dir: new URL(`file://${dir}/`) });
    const response = await serve(get("/static/a.txt"));
    assert.equal(response?.status, 200);
    assert.equal(await response?.text(), "A");
    assert.throws(
      () => staticFiles({ prefix: "/static/", dir: new URL("https://example.com/static/") }),
      TypeError,
    );
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
