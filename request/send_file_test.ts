import assert from "node:assert/strict";
import { Req } from "./req.ts";
import { parseRange, sendFile } from "./send_file.ts";

async function withFile(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, text);
    await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

const reqFor = (headers: Record<string, string> = {}, method = "GET") =>
  new Req(new Request("http://localhost/file", { headers, method }));

Deno.test("sendFile() sends the whole file or the part offset, length", async () => {
  await withFile("0123456789", async (path) => {
    const whole = await sendFile(reqFor(), path);
    assert.equal(whole.headers.get("content-length"), "10");
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    assert.equal(whole.headers.get("content-type"), "application/octet-stream");
    assert.equal(await whole.text(), "0123456789");
    assert.equal(await (await sendFile(reqFor(), path, { offset: 2, length: 3 })).text(), "234");
    assert.equal(await (await sendFile(reqFor(), path, { offset: 8, length: 9 })).text(), "89");
    const past = await sendFile(reqFor(), path, { offset: 20 });
    assert.equal(past.headers.get("content-length"), "0");
    assert.equal(await past.text(), "");
    await assert.rejects(sendFile(reqFor(), path, { offset: -1 }), RangeError);
    await assert.rejects(sendFile(reqFor(), path, { length: 1.5 }), RangeError);
  });
});

Deno.test("sendFile() answers a single Range with 206, past the end with 416", async (t) => {
  await withFile("0123456789", async (path) => {
    const cases: [string, number, string | null, string][] = [
      ["bytes=2-4", 206, "bytes 2-4/10", "234"],
      ["bytes=7-", 206, "bytes 7-9/10", "789"],
      ["bytes=-2", 206, "bytes 8-9/10", "89"],
      ["bytes=5-100", 206, "bytes 5-9/10", "56789"],
      ["bytes=10-", 416, "bytes */10", ""],
      ["bytes=1-2,4-5", 200, null, "0123456789"],
      ["items=1-2", 200, null, "0123456789"],
    ];
    for (const [range, status, contentRange, body] of cases) {
      await t.step(range, async () => {
        const response = await sendFile(reqFor({ range }), path);
        assert.equal(response.status, status);
        assert.equal(response.headers.get("content-range"), contentRange);
        assert.equal(await response.text(), body);
      });
    }
    await t.step("relative to the part sent", async () => {
      const response = await sendFile(reqFor({ range: "bytes=1-" }), path, {
        offset: 2,
        length: 3,
      });
      assert.equal(response.headers.get("content-range"), "bytes 1-2/3");
      assert.equal(await response.text(), "34");
    });
    await t.step("If-Range with the weak ETag serves the whole", async () => {
      const first = await sendFile(reqFor(), path);
      await first.body?.cancel();
      const etag = first.headers.get("etag")!;
      assert.match(etag, /^W\//);
      const response = await sendFile(reqFor({ range: "bytes=0-0", "if-range": etag }), path);
      assert.equal(response.status, 200);
      await response.body?.cancel();
    });
  });
});

Deno.test("sendFile() answers 304 to matching preconditions, HEAD without a body", async () => {
  await withFile("0123456789", async (path) => {
    const first = await sendFile(reqFor(), path);
    await first.body?.cancel();
    const etag = first.headers.get("etag")!;
    const strong = etag.slice(2); // `"…"`: a strong tag still matches weakly
    const again = await sendFile(reqFor({ "if-none-match": strong }), path);
    assert.equal(again.status, 304);
    assert.equal(again.body, null);
    const since = first.headers.get("last-modified")!;
    assert.equal((await sendFile(reqFor({ "if-modified-since": since }), path)).status, 304);
    const head = await sendFile(reqFor({}, "HEAD"), path);
    assert.equal(head.headers.get("content-length"), "10");
    assert.equal(await head.text(), "");
  });
});

Deno.test("sendFile() follows symbolic links and refuses a folder", async () => {
  await withFile("linked", async (path) => {
    await Deno.symlink(path, `${path}.lnk`);
    try {
      assert.equal(await (await sendFile(reqFor(), `${path}.lnk`)).text(), "linked");
    } finally {
      await Deno.remove(`${path}.lnk`);
    }
  });
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(sendFile(reqFor(), dir), TypeError);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("parseRange() ignores what it cannot serve as one range", () => {
  assert.equal(parseRange(null, 10), undefined);
  assert.equal(parseRange("bytes=-", 10), undefined);
  assert.equal(parseRange("bytes=5-2", 10), undefined);
  assert.equal(parseRange("bytes=-0", 10), "unsatisfiable");
  assert.deepEqual(parseRange("bytes=-20", 10), { start: 0, end: 10 });
});
