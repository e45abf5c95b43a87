import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { serveForTest } from "./_test_raw_http.ts";

/** Parses an access log line back into its fields, undoing the escapes. */
function parseLine(line: string): { addr: string; method: string; target: string; status: number } {
  const match = /^(\S+) "(\S+) ((?:[^"\\]|\\.)*)" (\d{3}) \S+ \S+$/.exec(line);
  assert.ok(match, `unparseable: ${line}`);
  const unescape = (s: string) =>
    s.replace(
      /\\x([0-9a-f]{2})|\\u\{([0-9a-f]+)\}/g,
      (_, x, u) => String.fromCodePoint(parseInt(x ?? u, 16)),
    );
  return {
    addr: unescape(match[1]),
    method: unescape(match[2]),
    target: unescape(match[3]),
    status: Number(match[4]),
  };
}

Deno.test("the access log escapes quotes, backslashes, controls and bidi overrides in the target", async () => {
  const lines: string[] = [];
  const app = createApp({ handler: () => "ok", log: (line) => void lines.push(line) });
  await using served = await serveForTest(app);
  // Each reaches the handler raw: Deno does not re-serialize the request target.
  const targets = ['/a"b', "/a\\b", "/a\u0085b", "/a\u202eb", "/a\u2066b\u2069", '/x"\\"y'];
  for (const target of targets) {
    const bytes = new TextEncoder().encode(
      `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    const { status } = await served.raw(bytes);
    assert.equal(status, 200, JSON.stringify(target));
  }
  const logged = lines.filter((line) => !line.startsWith("Listening"));
  assert.equal(logged.length, targets.length);
  for (const [i, line] of logged.entries()) {
    // deno-lint-ignore no-control-regex -- no raw control may reach the log
    assert.doesNotMatch(line, /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    assert.deepEqual(parseLine(line), {
      addr: "127.0.0.1",
      method: "GET",
      target: targets[i],
      status: 200,
    });
  }
});
