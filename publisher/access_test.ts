import { Req } from "@pubkit/request";
import assert from "node:assert/strict";
import { checkAccess, parseBasic } from "./access.ts";
import { Publisher } from "./mod.ts";
import { fetchText, fixture } from "./_testing.ts";

const basic = (credentials: string) => ({
  authorization: `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(credentials)))}`,
});

Deno.test("access hooks answer 401 and 403 before the function runs, on every path", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });

  await t.step(
    "scope Basic auth: no, wrong or malformed credentials → 401 with the realm",
    async () => {
      const attempts: HeadersInit[] = [
        {},
        basic("alice:wrong"),
        basic("mallory:wonderland"),
        basic("constructor:x"),
        basic("toString:"),
        { authorization: "Basic !!!" },
        { authorization: "Bearer alice" },
        { authorization: `Basic ${btoa("no-colon")}` },
      ];
      for (const path of ["/admin", "/admin/", "/admin/index", "/admin/whoami"]) {
        for (const headers of attempts) {
          const { status, headers: got, body } = await fetchText(publisher, path, { headers });
          assert.equal(status, 401, `${path} ${JSON.stringify(headers)}`);
          assert.equal(got.get("www-authenticate"), 'Basic realm="Admin area", charset="UTF-8"');
          assert.equal(body, "Authentication required");
        }
      }
    },
  );

  await t.step("scope access list: a valid user not on it → 403", async () => {
    const { status, body } = await fetchText(publisher, "/admin", {
      headers: basic("bob:builder"),
    });
    assert.equal(status, 403);
    assert.equal(body, "Forbidden");
  });

  await t.step("the right user passes and is handed to the function", async () => {
    const headers = basic("alice:wonderland");
    assert.equal((await fetchText(publisher, "/admin", { headers })).body, "admin home");
    assert.equal((await fetchText(publisher, "/admin/whoami", { headers })).body, "you are alice");
  });

  await t.step(
    "hooks run before the method check: no hint of methods without credentials",
    async () => {
      assert.equal((await fetchText(publisher, "/admin", { method: "DELETE" })).status, 401);
    },
  );

  await t.step("module-level _auth function, _realm and _access", async () => {
    const none = await fetchText(publisher, "/hooks/open");
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Basic realm="Hooks", charset="UTF-8"');
    const bob = await fetchText(publisher, "/hooks/open", { headers: { "x-token": "t-bob" } });
    assert.equal(bob.body, "hello bob");
  });

  await t.step("function-level access overrides the module's", async () => {
    const bob = await fetchText(publisher, "/hooks/aliceOnly", { headers: { "x-token": "t-bob" } });
    assert.equal(bob.status, 403);
    const alice = await fetchText(publisher, "/hooks/aliceOnly", {
      headers: { "x-token": "t-alice" },
    });
    assert.equal(alice.body, "only alice");
  });

  await t.step("a guard may answer with a redirect, or let the call through", async () => {
    const anonymous = await fetchText(publisher, "/hooks/loginRequired");
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/login");
    const head = await fetchText(publisher, "/hooks/loginRequired", { method: "HEAD" });
    assert.equal(head.status, 303);
    assert.equal(head.body, "");
    const member = await fetchText(publisher, "/hooks/loginRequired", {
      headers: { cookie: "session=ok" },
    });
    assert.equal(member.body, "members area");
  });

  await t.step("a guard returning false → 403", async () => {
    const { status } = await fetchText(publisher, "/hooks/denied", {
      headers: { "x-token": "t-alice" },
    });
    assert.equal(status, 403);
  });

  await t.step("a function-level password map: UTF-8 passwords, own entries only", async () => {
    const dave = await fetchText(publisher, "/hooks/basic", { headers: basic("dave:pässword") });
    assert.equal(dave.body, "basic dave");
    const wrong = await fetchText(publisher, "/hooks/basic", { headers: basic("dave:password") });
    assert.equal(wrong.status, 401);
    assert.equal(
      wrong.headers.get("www-authenticate"),
      'Basic realm="Basic here", charset="UTF-8"',
    );
    for (const inherited of ["constructor:", "hasOwnProperty:x", "toString:[object Object]"]) {
      const { status } = await fetchText(publisher, "/hooks/basic", { headers: basic(inherited) });
      assert.equal(status, 401, inherited);
    }
  });

  await t.step("auth: false and access: false turn inherited hooks off", async () => {
    const { status, headers } = await fetchText(publisher, "/hooks/putOnly");
    assert.equal(status, 405);
    assert.equal(headers.get("allow"), "PUT");
    assert.equal((await fetchText(publisher, "/hooks/putOnly", { method: "PUT" })).body, "put");
  });
});

Deno.test("checkAccess() passes the Basic credentials to an authenticator function", async () => {
  const seen: unknown[] = [];
  const hooks = {
    auth: (_req: Req, credentials: unknown) => {
      seen.push(credentials);
      return true;
    },
    realm: "r",
    access: undefined,
    guard: undefined,
  };
  const req = new Req(new Request("http://localhost/", { headers: basic("eve:pa:ss") }));
  assert.equal((await checkAccess(req, hooks)).user, "eve");
  assert.deepEqual(seen, [{ user: "eve", password: "pa:ss" }]);
});

Deno.test("parseBasic() refuses malformed headers", () => {
  assert.deepEqual(parseBasic(`basic ${btoa("a:b")}`), { user: "a", password: "b" });
  for (const header of [null, "", "Basic", "Basic ", "Basic ****", `Digest ${btoa("a:b")}`]) {
    assert.equal(parseBasic(header), undefined, String(header));
  }
});

Deno.test("parseBasic() decodes UTF-8 when valid, else ISO-8859-1 (RFC 7617)", async (t) => {
  const basic = (bytes: number[]) => `Basic ${btoa(String.fromCharCode(...bytes))}`;
  const utf8 = [...new TextEncoder().encode("sp\u00e1m:\u00e9ggs \u20ac")];
  const latin1 = [...Array.from("sp\xe1m:\xe9ggs", (c) => c.charCodeAt(0))];
  await t.step("UTF-8", () => {
    assert.deepEqual(parseBasic(basic(utf8)), { user: "sp\u00e1m", password: "\u00e9ggs \u20ac" });
  });
  await t.step("ISO-8859-1, as mod_python's client sends it", () => {
    assert.deepEqual(parseBasic(basic(latin1)), { user: "sp\u00e1m", password: "\u00e9ggs" });
    assert.deepEqual(parseBasic(basic([0xff, 0xfe, 0x3a, 0x78])), {
      user: "\xff\xfe",
      password: "x",
    });
  });
  await t.step("both reach a password map as the same user", async () => {
    const hooks = {
      auth: { "sp\u00e1m": "\u00e9ggs" },
      realm: "r",
      access: undefined,
      guard: undefined,
    };
    for (const bytes of [latin1, [...new TextEncoder().encode("sp\u00e1m:\u00e9ggs")]]) {
      const req = new Req(
        new Request("http://localhost/", { headers: { authorization: basic(bytes) } }),
      );
      assert.equal((await checkAccess(req, hooks)).user, "sp\u00e1m");
    }
  });
});
