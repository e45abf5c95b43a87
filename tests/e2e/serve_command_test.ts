// `deno task serve`, run the way the README says: it prints its URL, serves the home page, and
// stops cleanly (exit 0) on SIGTERM.
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const START_TIMEOUT = 30_000;
const STOP_TIMEOUT = 15_000;

/** Resolves with the first `Listening on <url>` line, collecting everything read into `seen`. */
async function waitForUrl(
  stream: ReadableStream<Uint8Array>,
  seen: string[],
  signal: AbortSignal,
): Promise<URL> {
  const lines = stream.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter());
  const reader = lines.getReader();
  const onAbort = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      seen.push(value);
      const match = value.match(/Listening on (http:\/\/\S+)/);
      if (match) {
        // Keep draining in the background so the child never blocks on a full pipe.
        (async () => {
          while (!(await reader.read()).done) { /* drain */ }
        })().catch(() => {});
        return new URL(match[1]);
      }
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  throw new Error(`Cannot find the URL: stdout ended or timed out after:\n${seen.join("\n")}`);
}

function lineSplitter(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
    flush(controller) {
      if (rest) controller.enqueue(rest);
    },
  });
}

Deno.test("deno task serve prints its URL, serves the home page, and exits 0 on SIGTERM", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-serve-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "serve"],
    cwd: ROOT,
    // An empty REDIS_URL/DATABASE_URL means the embedded default, as on a fresh machine.
    env: { PORT: "0", DATA_DIR: dataDir, REDIS_URL: "", DATABASE_URL: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const errors: string[] = [];
  const stderrDone = (async () => {
    for (let r = await stderr.read(); !r.done; r = await stderr.read()) errors.push(r.value);
  })();
  const out: string[] = [];
  let exited = false;
  const status = child.status.finally(() => exited = true);
  try {
    const url = await waitForUrl(child.stdout, out, AbortSignal.timeout(START_TIMEOUT));
    assert.equal(url.hostname, "127.0.0.1");
    assert.notEqual(url.port, "0", "the printed URL has the real port");

    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
    const html = await response.text();
    assert.match(html, /<title>pubkit notes<\/title>/);
    // The home page counts visits in the session (the CSRF nonce cookie may come first).
    assert.ok(response.headers.getSetCookie().some((cookie) => cookie.startsWith("sid=")));

    const stopped = performance.now();
    child.kill("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const code = await Promise.race([
      status.then((s) => s.code),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Cannot stop: no exit ${STOP_TIMEOUT} ms after SIGTERM`)),
          STOP_TIMEOUT,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal(code, 0, `exit code; stderr:\n${errors.join("")}`);
    assert.ok(performance.now() - stopped < STOP_TIMEOUT);
    // The data folder was used: the session secret and the database live there.
    const names = [...Deno.readDirSync(dataDir)].map((entry) => entry.name).sort();
    assert.ok(names.includes("session-secret"), `data folder holds ${names}`);
    assert.ok(names.includes("notes.db"), `data folder holds ${names}`);
  } finally {
    if (!exited) child.kill("SIGKILL");
    await status;
    await stderrDone;
    await Deno.remove(dataDir, { recursive: true });
  }
});
