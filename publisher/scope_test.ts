import { scopeForTesting } from "./publisher.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { defineScope, Publisher } from "./mod.ts";
import { fetchText, fixture } from "./_testing.ts";

Deno.test("scopes inherit from the parent folder and extend inherited lists", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });

  await t.step("the root scope has the defaults", () => {
    const root = scopeForTesting(publisher, "/");
    assert.deepEqual(root.methods, ["GET", "HEAD", "POST"]);
    assert.equal(root.session, false);
    assert.equal(root.hooks.auth, undefined);
    assert.deepEqual(root.templates, []);
    assert.deepEqual(root.sources, []);
    assert.equal(root.formLimits, undefined, "no folder sets limits: nothing to apply");
  });

  await t.step("admin/_config.ts sets its options", () => {
    const admin = scopeForTesting(publisher, "/admin/anything");
    assert.deepEqual(admin.sources, ["admin/_config.ts"]);
    assert.deepEqual(admin.hooks.access, ["alice"]);
    assert.equal(admin.hooks.realm, "Admin area");
    assert.deepEqual(admin.methods, ["GET", "HEAD", "POST", "PUT"]);
    assert.deepEqual(admin.templates, [join(fx.root, "admin", "views")]);
    assert.equal(admin.session, "lock");
    assert.deepEqual(admin.formLimits, { maxFields: 50 });
  });

  await t.step("admin/reports inherits auth and extends access, templates and methods", () => {
    const reports = scopeForTesting(publisher, "/admin/reports/daily");
    assert.deepEqual(reports.sources, ["admin/_config.ts", "admin/reports/_config.ts"]);
    assert.equal(reports.hooks.auth, scopeForTesting(publisher, "/admin").hooks.auth);
    assert.equal(reports.hooks.realm, "Admin area");
    assert.deepEqual(reports.hooks.access, ["alice", "bob"]);
    assert.deepEqual(reports.templates, [
      join(fx.root, "admin", "reports", "report-views"),
      join(fx.root, "admin", "views"),
    ]);
    assert.deepEqual(reports.methods, ["GET", "HEAD", "PUT"]);
    assert.equal(reports.session, "read");
    assert.deepEqual(reports.formLimits, { maxFields: 50, maxFiles: 1 });
    assert.deepEqual(reports.settings, { theme: "dark", title: "Reports" });
    assert.equal(publisher.resolve("/admin/reports/daily")?.scope, reports);
  });

  await t.step("the extended access list is enforced", async () => {
    const as = (credentials: string) => ({
      headers: { authorization: `Basic ${btoa(credentials)}` },
    });
    assert.equal(
      (await fetchText(publisher, "/admin/reports/daily", as("bob:builder"))).status,
      200,
    );
    assert.equal((await fetchText(publisher, "/admin", as("bob:builder"))).status, 403);
    assert.equal(
      (await fetchText(publisher, "/admin/reports/daily", as("carol:singer"))).status,
      403,
    );
    const post = await fetchText(publisher, "/admin/reports/daily", {
      method: "POST",
      ...as("alice:wonderland"),
    });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD, PUT");
  });

  await t.step("the effective options do not depend on what is requested first", async () => {
    await using other = await Publisher.create({ root: fx.root });
    await fetchText(other, "/admin/reports/daily");
    await fetchText(other, "/");
    for (const path of ["/", "/admin", "/admin/reports/daily", "/a/b"]) {
      assert.deepEqual(scopeForTesting(other, path), scopeForTesting(publisher, path), path);
    }
  });
});

async function rootWith(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "pubkit-scope-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, name), text);
  }
  return root;
}

Deno.test("scopes can turn inherited hooks off and modules can extend lists", async () => {
  const root = await rootWith({
    "_config.ts": 'export default { auth: { ann: "pw" }, access: ["ann"] };\n',
    "public/_config.ts": "export default { auth: false, access: false };\n",
    "public/page.ts": 'export const show = () => "public";\n',
    "team.ts": 'export const _access = { append: ["ben"] };\nexport const show = () => "team";\n',
    "ben.ts": 'export const _auth = { ben: "pw2" };\nexport const show = () => "ben only";\n',
  });
  try {
    await using publisher = await Publisher.create({ root });
    assert.equal((await fetchText(publisher, "/public/page/show")).body, "public");
    const team = publisher.resolve("/team/show")!;
    assert.deepEqual(team.hooks.access, ["ann"].concat("ben"));
    assert.deepEqual(scopeForTesting(publisher, "/team").hooks.access, ["ann"]);
    const ben = await fetchText(publisher, "/ben/show", {
      headers: { authorization: `Basic ${btoa("ben:pw2")}` },
    });
    assert.equal(ben.status, 403); // authenticated by the module's map, but not on the list
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a bad _config.ts stops the start with its name", async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { "x/_config.ts": "export default { relm: 'x' };\n" },
      /x\/_config\.ts: unknown option "relm"/,
    ],
    [{ "_config.ts": "export const config = {};\n" }, /_config\.ts: it has no default export/],
    [{ "_config.ts": "export default { session: 'yes' };\n" }, /session must be/],
    [{ "_config.ts": 'export default { realm: "a\\"b" };\n' }, /Cannot use realm/],
    [
      {
        "_config.ts": "export default { access: () => true };\n",
        "sub/_config.ts": 'export default { access: { append: ["x"] } };\n',
      },
      /cannot extend an inherited access function/,
    ],
    [
      { "_config.ts": "export default { methods: { add: ['PUT'] } };\n" },
      /unknown methods edit "add"/,
    ],
    [{ "_config.ts": "export default { formLimits: { maxFile: 1 } };\n" }, /unknown limit/],
  ];
  for (const [files, message] of cases) {
    await t.step(String(message), async () => {
      const root = await rootWith(files);
      try {
        await assert.rejects(Publisher.create({ root }), message);
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
});

Deno.test("defineScope() rejects unknown keys and wrong types", () => {
  assert.throws(() => defineScope({ sesion: "lock" } as never), RangeError);
  assert.throws(() => defineScope({ startup: 1 } as never), TypeError);
  assert.deepEqual(defineScope({ session: "read" }), { session: "read" });
});
