import assert from "node:assert/strict";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { createApp } from "./app.ts";
import type { AppReq } from "./app_req.ts";
import { TrustProxy } from "./trust_proxy.ts";
import { serveForTest } from "./_test_raw_http.ts";

const SECRET = "a test secret of at least thirty-two characters";

/** Connection info as `Deno.serve` gives it, from `hostname`. */
function from(hostname: string): Deno.ServeHandlerInfo {
  return {
    remoteAddr: { transport: "tcp", hostname, port: 40_000 },
    completed: Promise.resolve(),
  } as Deno.ServeHandlerInfo;
}

Deno.test("TrustProxy reads X-Forwarded-For from the right, through trusted hops only", () => {
  const proxies = new TrustProxy(["127.0.0.1", "10.0.0.2", "::1"]);
  const xff = (value: string) => new Headers({ "x-forwarded-for": value });
  assert.equal(proxies.clientAddress("127.0.0.1", xff("198.51.100.9, 10.0.0.2")), "198.51.100.9");
  // A client-sent value left of the real client is never taken.
  assert.equal(proxies.clientAddress("127.0.0.1", xff("1.1.1.1, 198.51.100.9")), "198.51.100.9");
  assert.equal(proxies.clientAddress("::ffff:127.0.0.1", xff("2001:db8::7")), "2001:db8::7");
  assert.equal(proxies.clientAddress("::1", xff("[2001:db8::7]")), "2001:db8::7");
  // A malformed hop ends the chain at the last good address.
  assert.equal(proxies.clientAddress("127.0.0.1", xff("evil, 10.0.0.2")), "10.0.0.2");
  assert.equal(proxies.clientAddress("127.0.0.1", new Headers()), "127.0.0.1");
  assert.equal(proxies.clientAddress("192.0.2.1", xff("198.51.100.9")), "192.0.2.1");
  const proto = (value: string) => new Headers({ "x-forwarded-proto": value });
  assert.equal(proxies.https("127.0.0.1", proto("http, HTTPS")), true);
  assert.equal(proxies.https("127.0.0.1", proto("https, http")), false);
  assert.equal(proxies.https("192.0.2.1", proto("https")), false);
  for (const bad of ["localhost", "10.0.0.0/8", "", 1]) {
    assert.throws(() => new TrustProxy([bad as string]), RangeError);
  }
});

Deno.test("createApp({ trustProxy }): forwarded address and https only from the named proxies", async (t) => {
  const sessions = new SessionManager({ store: new MemoryStore(), secrets: [SECRET] });
  const handler = async (req: AppReq) => {
    const session = await req.openSession();
    session.set("seen", true);
    req.setCookie("theme", "dark");
    return `${req.remoteAddr} ${req.https}`;
  };
  const trusting = createApp({ handler, sessions, accessLog: false, trustProxy: ["127.0.0.1"] });
  const plain = createApp({ handler, sessions, accessLog: false });
  const forwarded = {
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-proto": "https",
  };
  const visit = async (app: typeof plain, peer: string) => {
    const response = await app.fetch(
      new Request("http://app.test/", { headers: forwarded }),
      from(peer),
    );
    const [theme, cookie] = response.headers.getSetCookie();
    return { text: await response.text(), cookie: cookie!, theme: theme! };
  };
  try {
    await t.step(
      "a trusted proxy: the client's address, https, a __Host- Secure cookie",
      async () => {
        const { text, cookie } = await visit(trusting, "127.0.0.1");
        assert.equal(text, "203.0.113.7 true");
        assert.match(
          cookie,
          /^__Host-sid=[\w-]{43}\.[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
        );
      },
    );
    await t.step("any other peer: the headers are ignored", async () => {
      const { text, cookie, theme } = await visit(trusting, "198.51.100.1");
      assert.equal(text, "198.51.100.1 false");
      assert.doesNotMatch(theme, /Secure/);
      assert.match(cookie, /^sid=[\w-]{43}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    });
    await t.step("no trustProxy: the headers are ignored even from 127.0.0.1", async () => {
      const { text, cookie } = await visit(plain, "127.0.0.1");
      assert.equal(text, "127.0.0.1 false");
      assert.doesNotMatch(cookie, /Secure/);
    });
  } finally {
    await trusting.close();
    await plain.close();
    await sessions.close();
  }
});

Deno.test("app.serve(): an absolute-form https:// target on the plain listener is not https", async () => {
  const sessions = new SessionManager({ store: new MemoryStore(), secrets: [SECRET] });
  const app = createApp({
    sessions,
    accessLog: false,
    handler: async (req: AppReq) => {
      (await req.openSession()).set("a", 1);
      return JSON.stringify({ https: req.https, url: req.url.href });
    },
  });
  await using served = await serveForTest(app);
  const { host } = served.url;
  const { status, body } = await served.raw(
    `GET https://${host}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
  assert.equal(status, 200);
  const [, json = ""] = body.match(/(\{.*\})/) ?? [];
  // Deno builds the URL from the target; the connection was plain TCP all the same.
  assert.deepEqual(JSON.parse(json), { https: false, url: `https://${host}/` });
  const response = await fetch(served.url, { headers: { "x-forwarded-proto": "https" } });
  await response.text();
  assert.match(response.headers.getSetCookie()[0] ?? "", /^sid=(?!.*Secure)/);
  // In process (no connection), the URL is all there is: https stays https.
  const inProcess = await app.fetch(new Request("https://example.com/"));
  assert.equal(JSON.parse(await inProcess.text()).https, true);
});
