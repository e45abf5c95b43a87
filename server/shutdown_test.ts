import assert from "node:assert/strict";

const APP = new URL("./testdata/drain_app.ts", import.meta.url).pathname;
const SERVE_APP = new URL("./testdata/drain_serve_app.ts", import.meta.url).pathname;

/** Starts a drain app as a real process and reads its output (stdout and stderr) line by line. */
function start(
  env: Record<string, string> = {},
  args = ["run", "-A", "--unstable-no-legacy-abort", APP],
) {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.stdout.pipeThrough(new TextDecoderStream());
  const errors = child.stderr.pipeThrough(new TextDecoderStream());
  let stderrText = "";
  const reader = output.pipeThrough(
    new TransformStream<string, string>({
      start(controller) {
        // `deno serve` announces its address on stderr; both streams are read as one.
        (async () => {
          for await (const chunk of errors) {
            stderrText += chunk;
            controller.enqueue(chunk);
          }
        })();
      },
    }),
  ).getReader();
  const lines: string[] = [];
  let buffer = "";
  let ended = false;
  const pull = async () => {
    const { value, done } = await reader.read();
    if (done) ended = true;
    buffer += value ?? "";
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  };
  /** Waits (bounded) for a line matching `pattern`. */
  const waitFor = async (pattern: RegExp): Promise<string> => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const line = lines.find((line) => pattern.test(line));
      if (line) return line;
      if (ended) break;
      await pull();
    }
    throw new Error(`no line matching ${pattern}; saw ${JSON.stringify(lines)}`);
  };
  /** Reads everything up to the end of the output, then the exit status. */
  const finish = async () => {
    while (!ended) await pull();
    const status = await child.status;
    return { status, lines, stderr: stderrText };
  };
  return { child, waitFor, finish };
}

Deno.test("SIGTERM drains a real server: the in-flight request completes, cleanups run in reverse, exit 0", async () => {
  const server = start();
  const url = new URL((await server.waitFor(/^Listening on /)).slice("Listening on ".length));
  const slow = fetch(new URL("/slow", url));
  await server.waitFor(/^slow started$/);
  server.child.kill("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 100));
  // A request during the drain is either not accepted at all (the listener is closed) or, if it
  // reaches the app on a kept-alive connection, answered 503 with Connection: close. Never 200.
  const late = await fetch(new URL("/fast", url)).catch((error: unknown) => error);
  if (late instanceof Response) {
    assert.equal(late.status, 503);
    assert.equal(late.headers.get("connection"), "close");
    await late.body?.cancel();
  } else {
    assert.ok(late instanceof TypeError, String(late));
  }
  const response = await slow;
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "slow done");
  const { status, lines, stderr } = await server.finish();
  assert.equal(status.code, 0, stderr);
  const order = lines.filter((line) => /^cleanup|^stopped$/.test(line));
  assert.deepEqual(order, ["cleanup second", "cleanup first", "stopped"]);
});

Deno.test("SIGTERM under deno serve lets a request holding a locked session finish before the app closes", async () => {
  const server = start({}, [
    "serve",
    "-A",
    "--unstable-no-legacy-abort",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    SERVE_APP,
  ]);
  const listening = await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:\d+/);
  const url = new URL(/http:\/\/127\.0\.0\.1:\d+\//.exec(listening)![0]);
  const slow = fetch(new URL("/slow", url));
  await server.waitFor(/^slow started$/);
  server.child.kill("SIGTERM");
  const response = await slow;
  const body = await response.text();
  assert.equal(response.status, 200, body);
  assert.equal(body, "slow done");
  assert.match(response.headers.get("set-cookie") ?? "", /^sid=/, "the changed session was saved");
  const { status, lines, stderr } = await server.finish();
  assert.equal(status.code, 0, stderr);
  const order = lines.filter((line) => /^cleanup/.test(line));
  assert.deepEqual(order, ["cleanup request", "cleanup server"]);
});

Deno.test("a failing start-up hook stops the start with a clear message and exit 1", async () => {
  const server = start({ FAIL_STARTUP: "1" });
  const { status, lines, stderr } = await server.finish();
  assert.equal(status.code, 1);
  assert.match(stderr, /Cannot start: start-up hook second failed: the database is unreachable/);
  assert.ok(!lines.some((line) => line.startsWith("Listening on")), "it never listened");
  assert.deepEqual(lines.filter((line) => line.startsWith("cleanup")), ["cleanup first"]);
});
