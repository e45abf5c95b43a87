import assert from "node:assert/strict";
import { BodyBudget } from "./body_budget.ts";
import { parseForm, type ParseFormOptions } from "./form.ts";
import { HttpError } from "./http_error.ts";

const B = "spoolTestBoundary";

function upload(parts: { name: string; filename?: string; bytes: Uint8Array }[]): Request {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    chunks.push(encoder.encode(
      `--${B}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n\r\n`,
    ));
    chunks.push(part.bytes, encoder.encode("\r\n"));
  }
  chunks.push(encoder.encode(`--${B}--\r\n`));
  return new Request("http://localhost/", {
    method: "POST",
    body: new Blob(chunks as BlobPart[]),
    headers: { "content-type": `multipart/form-data; boundary=${B}` },
  });
}

function pattern(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + (i >> 11)) & 255);
}

Deno.test("parseForm({ spool }) keeps uploads above the threshold in temporary files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files: string[] = [];
    const big = pattern(3 * 1024 * 1024 + 5);
    const options: ParseFormOptions = {
      limits: { maxFileBytes: 8 * 1024 * 1024 },
      spool: { dir, threshold: 1024 * 1024, onFile: (path) => void files.push(path) },
    };
    const form = await parseForm(
      upload([
        { name: "big", filename: "big.bin", bytes: big },
        { name: "small", filename: "small.txt", bytes: new TextEncoder().encode("tiny") },
        { name: "note", bytes: new TextEncoder().encode("text") },
      ]),
      options,
    );
    assert.equal(files.length, 1, "only the big upload is spooled");
    assert.ok(files[0].startsWith(dir));
    assert.equal((await Deno.stat(files[0])).size, big.length);
    const file = form.get("big") as File;
    assert.ok(file instanceof File);
    assert.equal(file.name, "big.bin");
    assert.equal(file.size, big.length);
    assert.deepEqual(await file.bytes(), big);
    assert.deepEqual(new Uint8Array(await file.arrayBuffer()), big);
    let streamed = 0;
    for await (const chunk of file.stream()) streamed += chunk.length;
    assert.equal(streamed, big.length);
    const slice = file.slice(1024 * 1024, 1024 * 1024 + 10);
    assert.equal(slice.size, 10);
    assert.deepEqual(await slice.bytes(), big.slice(1024 * 1024, 1024 * 1024 + 10));
    assert.equal(await (form.get("small") as File).text(), "tiny");
    assert.equal(form.get("note"), "text");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseForm({ spool }) reports the temporary file of an upload cut short", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files: string[] = [];
    const head = new TextEncoder().encode(
      `--${B}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n`,
    );
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(head);
        else if (sent < 40) controller.enqueue(pattern(64 * 1024));
        else controller.error(new Error("connection reset"));
        sent++;
      },
    });
    const request = new Request("http://localhost/", {
      method: "POST",
      body,
      headers: { "content-type": `multipart/form-data; boundary=${B}` },
    });
    await assert.rejects(
      parseForm(request, {
        spool: { dir, threshold: 1024 * 1024, onFile: (path) => void files.push(path) },
      }),
      (e) => e instanceof HttpError && e.status === 400,
    );
    assert.equal(files.length, 1, "the owner learns of the file to remove it");
    for (const path of files) await Deno.remove(path); // closed: removable at once
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseForm({ budget }) counts the bytes kept in memory and stops past the budget", async () => {
  const budget = new BodyBudget({ maxBytes: 1024 * 1024 });
  let held = 0;
  const account = {
    take: (n: number) => {
      budget.take(n);
      held += n;
    },
    give: (n: number) => {
      budget.give(n);
      held -= n;
    },
  };
  const small = upload([{ name: "a", bytes: new TextEncoder().encode("y".repeat(300 * 1024)) }]);
  await parseForm(small, { budget: account, limits: { maxFieldValueBytes: 4 * 1024 * 1024 } });
  assert.equal(held, 300 * 1024);
  assert.equal(budget.held, 300 * 1024);
  const big = new Request("http://localhost/", {
    method: "POST",
    body: "a=" + "x".repeat(900 * 1024),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  await assert.rejects(
    parseForm(big, { budget: account, limits: { maxFieldValueBytes: 4 * 1024 * 1024 } }),
    (e) => e instanceof HttpError && e.status === 503 && e.headers.get("retry-after") === "1",
  );
  account.give(held);
  assert.equal(budget.held, 0);
  // A spooled upload gives its bytes back as it moves to disk.
  const dir = await Deno.makeTempDir();
  try {
    const files: string[] = [];
    await parseForm(upload([{ name: "f", filename: "f", bytes: pattern(3 * 1024 * 1024) }]), {
      budget: account,
      spool: { dir, threshold: 256 * 1024, onFile: (path) => void files.push(path) },
    });
    assert.ok(budget.held < 256 * 1024 + 64 * 1024, `held ${budget.held}`);
    for (const path of files) await Deno.remove(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(() => new BodyBudget({ maxBytes: -1 }), RangeError);
});
