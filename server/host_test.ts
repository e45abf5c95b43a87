import assert from "node:assert/strict";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { createApp } from "./app.ts";
import { serveForTest } from "./_test_raw_http.ts";

const get = (host: string | undefined) =>
  `GET / HTTP/1.1\r\n${host === undefined ? "" : `Host: ${host}\r\n`}Connection: close\r\n\r\n`;

Deno.test("App answers 400, not 500, for a Host that Deno accepts and URL refuses", async () => {
  await using sessions = new SessionManager({
    store: new MemoryStore(),
    secrets: ["a secret of at least thirty-two characters"],
  });
  const logs: unknown[] = [];
  const app = createApp({
    sessions,
    log: (record) => void logs.push(record.properties.error ?? record),
    handler: async (req) => {
      await req.openSession(); // builds a URL from the host (the Secure flag)
      return `host ${req.url.host}`;
    },
  });
  await using served = await serveForTest(app);
  for (
    const host of [
      "a%b",
      "a<b",
      "[1",
      "::",
      "a b",
      "ex.com:99999",
      "1.2.3.256",
      "a\\b",
      'a"b',
      "xn--zz", // malformed punycode: URL refuses it
      "a.xn--",
      "XN--A-ECP.example",
    ]
  ) {
    const { status, body } = await served.raw(get(host));
    assert.equal(status, 400, `${host}: ${body}`);
    assert.match(body, /is not a valid host/, host);
  }
  for (
    const host of [
      "example.com",
      "EXAMPLE.com:8080",
      "127.0.0.1",
      "[::1]:80",
      "my_app",
      "x.",
      "xn--bcher-kva.example",
    ]
  ) {
    const { status, body } = await served.raw(get(host));
    assert.equal(status, 200, `${host}: ${body}`);
  }
  assert.ok(
    !logs.some((entry) => entry instanceof Error),
    String(logs.find((e) => e instanceof Error)),
  );
});

Deno.test("App answers 400 to an HTTP/1.1 request without Host", async () => {
  const app = createApp({ handler: () => "ok", accessLog: false });
  await using served = await serveForTest(app);
  for (const host of [undefined, ""]) {
    const { status, body } = await served.raw(get(host));
    assert.equal(status, 400);
    assert.match(body, /no Host header/);
  }
  assert.equal((await served.raw(get(`localhost:${served.url.port}`))).status, 200);
});

Deno.test("createApp({ allowedHosts }) answers 400 for any other host", async (t) => {
  const app = createApp({
    handler: (req) => req.url.hostname,
    allowedHosts: ["Example.com", ".pubkit.example"],
    accessLog: false,
  });
  await t.step("allowed hosts, any port, subdomains of a dotted entry", async () => {
    for (
      const url of [
        "http://example.com/",
        "http://EXAMPLE.COM:8080/",
        "https://pubkit.example/",
        "http://a.b.pubkit.example/",
      ]
    ) {
      const response = await app.fetch(new Request(url));
      assert.equal(response.status, 200, url);
      await response.body?.cancel();
    }
  });
  await t.step("every other host", async () => {
    for (
      const url of [
        "http://evil.example/",
        "http://www.example.com/",
        "http://pubkit.example.evil/",
        "http://127.0.0.1/",
      ]
    ) {
      const response = await app.fetch(new Request(url));
      assert.equal(response.status, 400, url);
      assert.match(await response.text(), /is not an allowed host/);
    }
  });
  await t.step("the option is checked", () => {
    assert.throws(() => createApp({ handler: () => "", allowedHosts: [] }), TypeError);
    for (const entry of ["example.com:80", "http://example.com", "*", ""]) {
      assert.throws(
        () => createApp({ handler: () => "", allowedHosts: [entry] }),
        RangeError,
        entry,
      );
    }
  });
  await app.close();
});
