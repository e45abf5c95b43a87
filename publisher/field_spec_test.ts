import { Fields } from "@pubkit/request";
import assert from "node:assert/strict";
import { compileFields } from "./field_spec.ts";
import { type InvalidFieldsError, publish, Publisher } from "./mod.ts";
import { fetchText, fixture } from "./_testing.ts";

Deno.test("publish({ fields }) validates fields: 400 with one message per field", async (t) => {
  await using fx = await fixture();
  await using publisher = await Publisher.create({ root: fx.root });
  const post = (path: string, body: string) =>
    fetchText(publisher, path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });

  await t.step("missing fields", async () => {
    const { status, body } = await post("/forms/signup", "");
    assert.equal(status, 400);
    assert.equal(body, "Invalid fields:\nname: is required\nage: is required\nagree: is required");
  });

  await t.step("invalid values", async () => {
    const { status, body } = await post(
      "/forms/signup",
      "name=a&name=b&age=1.5&score=abc&agree=maybe&tags=x",
    );
    assert.equal(status, 400);
    assert.equal(
      body,
      "Invalid fields:\nname: must be given once\nage: must be an integer\nscore: must be a number\n" +
        "agree: must be a boolean (true/false, on/off, 1/0, yes/no)",
    );
  });

  await t.step("valid values are converted and only specified fields are passed", async () => {
    const { status, body } = await post(
      "/forms/signup",
      "name=Ada&age=36&agree=on&tags=x&tags=y&extra=ignored",
    );
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), {
      name: "Ada",
      age: 36,
      score: null,
      agree: true,
      tags: ["x", "y"],
    });
  });

  await t.step("optional fields with defaults", async () => {
    assert.equal((await fetchText(publisher, "/forms/search")).body, "q= page=1");
    assert.equal((await fetchText(publisher, "/forms/search?q=z&page=3")).body, "q=z page=3");
  });

  await t.step("a whole-form Standard Schema maps issue paths to fields", async () => {
    const bad = await post("/forms/subscribe", "email=nope&code=1");
    assert.equal(bad.status, 400);
    assert.equal(bad.body, "Invalid fields:\nemail: must be an email address\ncode: is wrong");
    const good = await post("/forms/subscribe", "email=Ada@Example.org&code=42");
    assert.equal(good.body, "ada@example.org 42");
  });

  await t.step("an async per-field Standard Schema", async () => {
    const odd = await fetchText(publisher, "/forms/even?n=3");
    assert.equal(odd.status, 400);
    assert.equal(odd.body, "Invalid fields:\nn: must be even");
    assert.deepEqual(JSON.parse((await fetchText(publisher, "/forms/even?n=4")).body), { half: 2 });
  });
});

Deno.test("compileFields() converts the built-in types", async (t) => {
  await t.step("int, number, boolean edge cases", async () => {
    const validate = compileFields({ i: "int?", n: "number?", b: "boolean?" });
    const ok = async (entries: [string, string][]) => ({ ...await validate(new Fields(entries)) });
    assert.deepEqual(await ok([["i", " 42 "], ["n", "-1.5e3"], ["b", "off"]]), {
      i: 42,
      n: -1500,
      b: false,
    });
    assert.deepEqual(await ok([]), { i: undefined, n: undefined, b: undefined });
    for (const i of ["1e3", "0x10", "", "99999999999999999", "1.0"]) {
      await assert.rejects(validate(new Fields([["i", i]])), /i: must be an integer/, i);
    }
    for (const n of ["", " ", "Infinity", "NaN", "1,5"]) {
      await assert.rejects(validate(new Fields([["n", n]])), /n: must be a number/, n);
    }
  });

  await t.step("files", async () => {
    const validate = compileFields({ upload: "file", note: "string?" });
    const file = new File(["x"], "../../etc/passwd");
    const record = await validate(new Fields([["upload", file]]));
    assert.equal(record.upload, file);
    await assert.rejects(
      validate(new Fields([["upload", "text"], ["note", file]])),
      (error: InvalidFieldsError) => {
        assert.deepEqual({ ...error.fields }, {
          upload: ["must be a file"],
          note: ["must be text, not a file"],
        });
        return true;
      },
    );
  });

  await t.step("repeated values are each checked", async () => {
    const validate = compileFields({ n: { type: "int", repeated: true } });
    assert.deepEqual((await validate(new Fields([["n", "1"], ["n", "2"]]))).n, [1, 2]);
    assert.deepEqual((await validate(new Fields([]))).n, []);
    await assert.rejects(
      validate(new Fields([["n", "1"], ["n", "x"]])),
      /every value must be an integer/,
    );
  });

  await t.step("the record has no prototype", async () => {
    const record = await compileFields({ ["__proto__"]: "string" } as never)(
      new Fields([["__proto__", "x"]]),
    );
    assert.equal(Object.getPrototypeOf(record), null);
    assert.equal(Object.getOwnPropertyDescriptor(record, "__proto__")?.value, "x");
  });
});

Deno.test("compileFields() and publish() refuse bad specs when the module loads", () => {
  for (const spec of ["integer", "int??", "", 42, { type: "int", required: true }, null]) {
    assert.throws(() => compileFields({ x: spec } as never), TypeError, JSON.stringify(spec));
  }
  assert.throws(() => publish({ fields: { x: "float" } } as never, () => {}), TypeError);
  assert.throws(() => publish({ metods: ["GET"] } as never, () => {}), RangeError);
  assert.throws(() => publish({ methods: ["GE T"] }, () => {}), TypeError);
  assert.throws(() => publish({ realm: 'a"b' }, () => {}), TypeError);
  assert.throws(() => publish({ pathInfo: "yes" } as never, () => {}), TypeError);
  assert.throws(() => publish({}, "not a function" as never), TypeError);
});
