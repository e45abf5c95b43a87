/**
 * mod_python's own test suite (test/test.py), replayed over real HTTP against a pubkit port of
 * its handlers (testdata/htdocs). One test per original test that applies outside Apache, named
 * `mod_python <name> (<status>)`; _status.ts lists all of them, and why the rest do not apply.
 */
import assert from "node:assert/strict";
import { ENTRIES } from "./_status.ts";
import { modPythonMultipart, raw, serveHtdocs } from "./_http.ts";
import { errorLog } from "./testdata/htdocs/_log.ts";
import { MemoryStore, SessionManager } from "@pubkit/session";

/** The names port() registered, for status_test.ts. */
export const ported = new Set<string>();

function port(name: string, fn: () => Promise<void>): void {
  const entry = ENTRIES.find((e) => e.name === name);
  if (!entry || entry.status === "not applicable") throw new Error(`${name}: not a ported test`);
  ported.add(name);
  Deno.test(`mod_python ${name} (${entry.status})`, fn);
}

const basic = (credentials: string | Uint8Array) =>
  `Basic ${
    btoa(
      typeof credentials === "string" ? credentials : String.fromCharCode(...credentials),
    )
  }`;

async function get(path: string, init?: RequestInit): Promise<[number, string, Headers]> {
  await using served = await serveHtdocs();
  const response = await fetch(served.url(path), init);
  return [response.status, await response.text(), response.headers];
}

port("test_req_allow_methods", async () => {
  const [status, , headers] = await get("/tests/req_allow_methods");
  assert.equal(status, 405);
  assert.match(headers.get("allow") ?? "", /MKWORKSPACE/);
});

port("test_req_unauthorized", async () => {
  await using served = await serveHtdocs();
  const ok = await fetch(served.url("/auth/tests/req_unauthorized"), {
    headers: { authorization: basic("spam:eggs") },
  });
  assert.equal(await ok.text(), "test ok");
  const bad = await fetch(served.url("/auth/tests/req_unauthorized"), {
    headers: { authorization: basic("spam:BAD PASSWD") },
  });
  assert.equal(bad.status, 401);
  assert.notEqual(await bad.text(), "test ok");
});

port("test_req_get_basic_auth_pw", async () => {
  const [, body] = await get("/auth/tests/req_get_basic_auth_pw", {
    headers: { authorization: basic("spam:eggs") },
  });
  assert.equal(body, "test ok");
});

port("test_req_get_basic_auth_pw_latin1", async () => {
  // b'sp\xe1m:\xe9ggs': ISO-8859-1 bytes, not UTF-8.
  const latin1 = Uint8Array.from("sp\xe1m:\xe9ggs", (c) => c.charCodeAt(0));
  const [status, body] = await get("/auth/tests/req_get_basic_auth_pw", {
    headers: { authorization: basic(latin1) },
  });
  assert.equal(status, 200);
  assert.equal(body, "test ok");
});

port("test_req_internal_redirect", async () => {
  const [status, body] = await get("/tests/req_internal_redirect");
  assert.equal(status, 200);
  assert.equal(body, "test ok");
});

port("test_req_construct_url", async () => {
  assert.equal((await get("/tests/req_construct_url"))[1], "test ok");
});

port("test_req_read", async () => {
  await using served = await serveHtdocs({ bodyDeadline: { timeout: 1_000 } });
  const params = "1234567890".repeat(10_000);
  const echo = await raw(
    served.port,
    `POST /tests/req_read HTTP/1.1\r\nContent-Length: ${params.length}`,
    params,
  );
  assert.equal(echo.text(), params);
  // Content-Length 10 but 9 bytes sent: mod_python answered its IOError page after Timeout 5.
  const short = await raw(
    served.port,
    "POST /tests/req_read HTTP/1.1\r\nContent-Length: 10",
    "123456789",
  );
  assert.equal(short.status, 408);
  assert.equal(short.header("connection"), "close");
});

const LINES = ("1234567890".repeat(3000) + "\n").repeat(4);

port("test_req_readline", async () => {
  await using served = await serveHtdocs();
  const response = await fetch(served.url("/tests/req_readline"), { method: "POST", body: LINES });
  assert.equal(await response.text(), LINES);
});

port("test_req_readlines", async () => {
  await using served = await serveHtdocs();
  const post = async (hint?: number) => {
    const headers: Record<string, string> = hint === undefined ? {} : { sizehint: String(hint) };
    const response = await fetch(served.url("/tests/req_readlines"), {
      method: "POST",
      body: LINES,
      headers,
    });
    return await response.text();
  };
  const line = "1234567890".repeat(3000) + "\n";
  assert.equal(await post(), LINES);
  assert.equal(await post(30_000), line);
  assert.equal(await post(32_000), line + line);
});

port("test_req_discard_request_body", async () => {
  await using served = await serveHtdocs();
  const response = await raw(
    served.port,
    "POST /tests/req_discard_request_body HTTP/1.1\r\nContent-Length: 20",
    "12345678901234567890",
  );
  assert.equal(response.text(), "test ok");
  // The original sends it as a GET; Deno gives a GET no body, so there is nothing to read.
  const get = await raw(
    served.port,
    "GET /tests/req_read HTTP/1.1\r\nContent-Length: 20",
    "12345678901234567890",
  );
  assert.equal(get.text(), "");
});

port("test_req_register_cleanup", async () => {
  errorLog.length = 0;
  await using served = await serveHtdocs();
  const response = await fetch(served.url("/tests/req_register_cleanup"));
  await response.text();
  for (let i = 0; i < 100 && errorLog.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(errorLog, ["req_register_cleanup test ok"]);
});

port("test_req_headers_out", async () => {
  const [, body, headers] = await get("/tests/req_headers_out");
  assert.equal(headers.get("x-test-header"), "test ok");
  assert.equal(body, "test ok");
});

port("test_req_sendfile", async () => {
  assert.equal((await get("/tests/req_sendfile"))[1], "test ok");
});

port("test_req_sendfile2", async () => {
  assert.equal((await get("/tests/req_sendfile2"))[1], "0123456789".repeat(100));
});

port("test_req_sendfile3", async () => {
  assert.equal((await get("/tests/req_sendfile3"))[1], "0123456789".repeat(100));
});

port("test_req_no_cache", async () => {
  const [, body, headers] = await get("/tests/req_no_cache");
  assert.notEqual(headers.get("expires"), null);
  assert.equal(body, "test ok");
});

port("test_req_update_mtime", async () => {
  const [, body, headers] = await get("/tests/req_update_mtime");
  assert.notEqual(headers.get("etag"), null);
  assert.equal(headers.get("last-modified"), new Date(100_000).toUTCString());
  assert.equal(body, "test ok");
});

port("test_util_redirect", async () => {
  const [status, body, headers] = await get("/tests/util_redirect", { redirect: "manual" });
  assert.equal(status, 302);
  assert.equal(headers.get("location"), "/dummy");
  assert.equal(body, "test ok");
});

port("test_req_server_get_options", async () => {
  await using served = await serveHtdocs();
  const root = await fetch(served.url("/tests/req_server_get_options"));
  assert.equal(await root.text(), "test ok");
  const local = await fetch(served.url("/options/tests/req_get_options"));
  assert.equal(await local.text(), "test ok");
});

const READ_BLOCK_SIZE = 65368; // test.py's readBlockSize

async function upload(content: Uint8Array): Promise<void> {
  await using served = await serveHtdocs();
  const { boundary, body } = modPythonMultipart(
    { test: "abcd" },
    { testfile: ["test.txt", content] },
  );
  const response = await raw(
    served.port,
    `POST /tests/fileupload HTTP/1.1\r\nContent-Type: multipart/form-data; boundary="${boundary}"\r\nContent-Length: ${body.length}`,
    body,
  );
  const digest = await crypto.subtle.digest("SHA-256", new Uint8Array(content));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(response.status, 200, response.text());
  assert.equal(response.text(), hex);
}

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

port("test_fileupload", async () => {
  const content = new Uint8Array(1024 * 1024);
  for (let i = 0; i < content.length; i += 65536) {
    crypto.getRandomValues(content.subarray(i, i + 65536));
  }
  await upload(content);
});

port("test_fileupload_embedded_cr", async () => {
  await upload(latin1(
    "a".repeat(100) + "\r\n" + "b".repeat(READ_BLOCK_SIZE - 1) + "\r" + "ccc" + "d".repeat(100) +
      "\r\n",
  ));
});

port("test_fileupload_split_boundary", async () => {
  await upload(latin1("a".repeat(100) + "\r\n" + "b".repeat(READ_BLOCK_SIZE - 1)));
  await upload(latin1("a".repeat(100) + "\r\n" + "b".repeat(READ_BLOCK_SIZE - 1) + "\r"));
});

port("test_PythonOption", async () => {
  assert.equal(
    (await get("/options/tests/PythonOption_items"))[1],
    "[('PythonOptionTest', 'sample_value')]",
  );
});

port("test_PythonOption_override", async () => {
  assert.equal(
    (await get("/options/override/tests/PythonOption_items"))[1],
    "[('PythonOptionTest', 'new_value'), ('PythonOptionTest2', 'new_value2')]",
  );
});

port("test_PythonOption_remove", async () => {
  assert.equal(
    (await get("/options/remove/tests/PythonOption_items"))[1],
    "[('PythonOptionTest2', 'new_value2')]",
  );
});

port("test_PythonOption_remove2", async () => {
  assert.equal(
    (await get("/options/remove2/tests/PythonOption_items"))[1],
    "[('PythonOptionTest2', 'new_value2'), ('PythonOptionTest3', 'new_value3')]",
  );
});

port("test_util_fieldstorage", async () => {
  const [, body] = await get("/tests/util_fieldstorage", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/plain" },
    body: "spam=1&spam=2&eggs=3&bacon=4",
  });
  assert.deepEqual(JSON.parse(body), [["spam", "1"], ["spam", "2"], ["eggs", "3"], ["bacon", "4"]]);
});

port("test_import", async () => {
  assert.equal((await get("/tests/import_test"))[1], "test ok");
});

port("test_psphandler", async () => {
  assert.equal((await get("/psp/pages/psptest"))[1].trimEnd().slice(-7), "test ok");
});

port("test_psp_parser", async () => {
  const [, body] = await get("/psp/pages/psp_parser");
  const failures: string[] = [];
  let checked = 0;
  for (const line of body.split("$").map((l) => l.trim()).filter(Boolean)) {
    const [t, testCase, ...rest] = line.split(":");
    if (rest.length === 0 || !t.trim().startsWith("test")) continue;
    checked++;
    let expected = testCase;
    for (const [from, to] of [["-", "\\"], ["CR", "\r"], ["LF", "\n"], ["TB", "\t"]]) {
      expected = expected.replaceAll(from, to);
    }
    if (expected !== rest.join(":")) failures.push(testCase);
  }
  assert.equal(checked, 7);
  assert.deepEqual(failures, []);
});

port("test_psp_error", async () => {
  // mod_python answered "okay fail": the page's output, then the error page's.
  const [status, body, headers] = await get("/psp/pages/psptest_main");
  assert.equal(status, 500);
  assert.deepEqual(body.trim().split(/\s+/), ["fail", headers.get("x-request-id")]);
});

port("test_Cookie_Cookie", async () => {
  await using served = await serveHtdocs();
  // Three cookies, nastily formatted, in two Cookie headers.
  const response = await raw(
    served.port,
    "GET /tests/Cookie_Cookie HTTP/1.1\r\nCookie: spam=foo; path=blah;;eggs=bar;\r\nCookie: bar=foo",
  );
  const setCookie = response.headers.filter(([n]) => n === "set-cookie").map(([, v]) => v)
    .join(", ");
  assert.equal(response.text(), "test ok");
  for (const part of ["path=blah", "eggs=bar", "bar=foo", "spam=foo"]) {
    assert.ok(setCookie.includes(part), `${part} in ${setCookie}`);
  }
});

port("test_Cookie_MarshalCookie", async () => {
  const mc = "eggs=d049b2b61adb6a1d895646719a3dc30bcwQAAABzcGFt";
  await using served = await serveHtdocs();
  const response = await fetch(served.url("/tests/Cookie_Cookie"), { headers: { cookie: mc } });
  assert.equal(await response.text(), "test ok");
  // mod_python echoed it back verbatim after checking its HMAC; pubkit treats it as text and
  // sets it back HttpOnly, SameSite=Lax, Path=/ (the value is not unmarshalled).
  assert.match(response.headers.get("set-cookie") ?? "", new RegExp(`^${mc}; `));
});

function sessions(cookie?: { path: string; domain: string }): SessionManager {
  return new SessionManager({
    store: new MemoryStore({ sweepInterval: 0 }),
    secrets: ["mod_python port secret, 32 bytes or more!"],
    cookie,
  });
}

port("test_Session_Session", async () => {
  // mod_python.session.application_path "/path", application_domain "test_Session_Session"
  // (a host name has no `_`: the domain is spelled with `-`).
  const cookie = { path: "/path", domain: "test-session-session" };
  await using served = await serveHtdocs({ sessions: sessions(cookie) });
  const first = await fetch(served.url("/sess/tests/Session_Session"));
  const setCookie = first.headers.get("set-cookie");
  assert.equal(await first.text(), "test ok");
  assert.ok(setCookie?.startsWith("sid="), String(setCookie));
  assert.ok(setCookie);
  const fields = new Map(
    setCookie.split("; ").map((part) => part.split("=")).map(([k, v]) => [k.toLowerCase(), v]),
  );
  assert.equal(fields.get("path"), "/path");
  assert.equal(fields.get("domain"), "test-session-session");
  const again = await fetch(served.url("/sess/tests/Session_Session"), {
    headers: { cookie: setCookie.split(";")[0] },
  });
  assert.equal(await again.text(), "test ok");
  assert.equal(again.headers.get("set-cookie"), null);
});

port("test_Session_illegal_sid", async () => {
  await using served = await serveHtdocs({ sessions: sessions() });
  for (const bad of ["sid=/path/traversal/attack/bad; path=/", `sid=${"abcdef".repeat(64)}`]) {
    const response = await fetch(served.url("/sess/tests/Session_Session"), {
      headers: { cookie: bad },
    });
    await response.body?.cancel();
    assert.equal(response.status, 200);
    assert.ok(response.headers.get("set-cookie")?.startsWith("sid="));
  }
});

port("test_none_handler", async () => {
  assert.equal((await get("/tests/none_handler"))[0], 404);
});

port("test_publisher", async () => {
  await using served = await serveHtdocs();
  const text = async (path: string) => await (await fetch(served.url(path))).text();
  assert.equal(await text("/tests"), "test ok");
  assert.equal(await text("/tests/index"), "test ok");
  assert.equal(await text("/tests/test_publisher"), "test ok");
  assert.equal(await text("/"), "test 1 ok");
  assert.equal(await text("/foobar"), "test 2 ok");
});

port("test_publisher_auth_nested", async () => {
  await using served = await serveHtdocs();
  const ok = await fetch(served.url("/tests/test_publisher_auth_nested"), {
    headers: { authorization: basic("spam:eggs") },
  });
  assert.equal(await ok.text(), "test ok");
  const anonymous = await fetch(served.url("/tests/test_publisher_auth_nested"));
  await anonymous.body?.cancel();
  assert.equal(anonymous.status, 401);
});

port("test_publisher_auth_method_nested", async () => {
  const [, body] = await get("/tests/test_publisher_auth_method_nested/method", {
    headers: { authorization: basic("spam:eggs") },
  });
  assert.equal(body, "test ok");
});

port("test_publisher_auth_digest", async () => {
  const [, body] = await get("/tests/test_publisher", {
    headers: {
      authorization:
        'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    },
  });
  assert.equal(body, "test ok");
});

port("test_publisher_security", async () => {
  await using served = await serveHtdocs();
  const paths = [
    "/tests/_SECRET_PASSWORD",
    "/tests/__ANSWER",
    "/tests/re",
    "/tests/OldStyleClassTest",
    "/tests/InstanceTest",
    "/tests/index/func_code",
    "/tests/old_instance/traverse/func_code",
    "/tests/instance/traverse/func_code",
    "/tests/test_dict/keys",
    "/tests/test_dict_keys",
  ];
  const bodies = new Set<string>();
  for (const path of paths) {
    const response = await fetch(served.url(path));
    bodies.add(await response.text());
    assert.equal(response.status, 404, path);
  }
  assert.equal(bodies.size, 1, "one body for every hidden name");
});

port("test_publisher_iterator", async () => {
  assert.equal((await get("/tests/test_dict_iteration"))[1], "123");
  assert.equal((await get("/tests/test_generator"))[1], "0123456789");
});

port("test_publisher_hierarchy", async () => {
  await using served = await serveHtdocs();
  const answer = async (path: string) => {
    const response = await fetch(served.url(path));
    return [response.status, await response.text()];
  };
  assert.deepEqual(await answer("/tests/hierarchy_root"), [200, "Called root"]);
  assert.deepEqual(await answer("/tests/hierarchy_root/page1"), [200, "Called page1"]);
  assert.deepEqual(await answer("/tests/hierarchy_root_2/page1"), [200, "test ok"]);
  assert.deepEqual(await answer("/tests/hierarchy_root/page2"), [200, "Called page2"]);
  assert.deepEqual(await answer("/tests/hierarchy_root_2/page2"), [200, "test ok"]);
  // mod_python: "Called subpage1".
  assert.equal((await answer("/tests/hierarchy_root/page1/subpage1"))[0], 404);
});

port("test_publisher_old_style_instance", async () => {
  assert.equal((await get("/tests/old_instance"))[1], "test callable old-style instance ok");
  assert.equal(
    (await get("/tests/old_instance/traverse"))[1],
    "test traversable old-style instance ok",
  );
});

port("test_publisher_instance", async () => {
  assert.equal((await get("/tests/instance"))[1], "test callable instance ok");
  assert.equal((await get("/tests/instance/traverse"))[1], "test traversable instance ok");
});

port("test_publisher_cache", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = (stamp: number) =>
      Deno.writeTextFile(
        `${root}/temp.ts`,
        `const LOAD_TIME = ${stamp};\nexport function index() { return "OK " + LOAD_TIME; }\n`,
      );
    await write(1);
    await using served = await serveHtdocs({ publish: { root } });
    const first = await (await fetch(served.url("/temp"))).text();
    assert.equal(first, "OK 1");
    await write(2);
    // mod_python reloaded the modified module; without `dev` the table is built once.
    assert.equal(await (await fetch(served.url("/temp"))).text(), "OK 1");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

for (const name of ["test_srv_register_cleanup", "test_apache_register_cleanup"]) {
  port(name, async () => {
    errorLog.length = 0;
    {
      await using served = await serveHtdocs();
      const response = await fetch(served.url("/tests/srv_register_cleanup"));
      await response.text();
      assert.deepEqual(errorLog, []);
    } // the server stops here
    assert.deepEqual(errorLog, ["srv_register_cleanup test ok"]);
  });
}

Deno.test("mod_python: every applicable test is ported, and the docs list every test", async () => {
  const applicable = ENTRIES.filter((e) => e.status !== "not applicable").map((e) => e.name);
  assert.deepEqual([...ported].sort(), applicable.sort());
  assert.equal(new Set(ENTRIES.map((e) => e.name)).size, ENTRIES.length);
  const doc = await Deno.readTextFile(new URL("../../docs/MODPYTHON.md", import.meta.url));
  for (const { name, status } of ENTRIES) {
    const row = new RegExp(`^\\| \`${name}\` +\\| ${status} +\\|`, "m");
    assert.match(doc, row, `${name} (${status}) in MODPYTHON.md`);
  }
  assert.doesNotMatch(doc, /\| fails/i);
  const count = (status: string) => ENTRIES.filter((e) => e.status === status).length;
  assert.ok(
    doc.replace(/\s+/g, " ").includes(
      `Of the ${ENTRIES.length} tests of \`test.py\`, ${count("same")} behave the same, ` +
        `${count("deliberately different")} are deliberately different, and ` +
        `${count("not applicable")} do not apply`,
    ),
    "the counts in MODPYTHON.md",
  );
  const readme = (await Deno.readTextFile(new URL("../../README.md", import.meta.url)))
    .replace(/\s+/g, " ");
  for (const { name, readme: line } of ENTRIES) {
    if (line !== undefined) assert.ok(readme.includes(line), `README says why for ${name}`);
  }
});
