import assert from "node:assert/strict";
import { Fields } from "./fields.ts";

Deno.test("Fields keeps every value in order and answers get/getAll/has", () => {
  const file = new File(["x"], "photo.png", { type: "image/png" });
  const fields = new Fields([["a", "1"], ["b", file], ["a", "2"]]);
  assert.equal(fields.size, 3);
  assert.equal(fields.get("a"), "1");
  assert.deepEqual(fields.getAll("a"), ["1", "2"]);
  assert.equal(fields.get("b"), file);
  assert.equal(fields.get("missing"), undefined);
  assert.deepEqual(fields.getAll("missing"), []);
  assert.ok(fields.has("b"));
  assert.ok(!fields.has("missing"));
  assert.deepEqual([...fields.keys()], ["a", "b"]);
  assert.deepEqual([...fields.entries()], [["a", "1"], ["b", file], ["a", "2"]]);
  assert.deepEqual([...fields], [...fields.entries()]);
});

Deno.test("Fields.getAll() and entries() return copies the caller may change", () => {
  const fields = new Fields([["a", "1"]]);
  fields.getAll("a").push("2");
  for (const entry of fields) entry[1] = "changed";
  assert.deepEqual(fields.getAll("a"), ["1"]);
});

Deno.test("Fields.toObject() maps one value to itself and repeated names to arrays", () => {
  const fields = new Fields([["one", "1"], ["many", "a"], ["many", "b"]]);
  const record = fields.toObject();
  assert.equal(Object.getPrototypeOf(record), null);
  assert.deepEqual({ ...record }, { one: "1", many: ["a", "b"] });
  (record.many as string[]).push("c");
  assert.deepEqual(fields.toObject().many, ["a", "b"]);
  const greet = ({ name = "world" }: Record<string, unknown>) => `Hello, ${name}`;
  assert.equal(greet(new Fields().toObject()), "Hello, world");
});

Deno.test("Fields treats __proto__, constructor and toString as ordinary keys", () => {
  const fields = new Fields([
    ["__proto__", "p"],
    ["constructor", "c"],
    ["toString", "t"],
    ["hasOwnProperty", "h"],
  ]);
  assert.ok(fields.has("__proto__"));
  assert.ok(!new Fields().has("constructor"));
  assert.equal(new Fields().get("toString"), undefined);
  const record = fields.toObject();
  assert.deepEqual(Object.keys(record), ["__proto__", "constructor", "toString", "hasOwnProperty"]);
  assert.equal(record["__proto__"], "p");
  assert.equal(Object.getPrototypeOf(record), null);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(({} as Record<string, unknown>).p, undefined);
});

Deno.test("new Fields() refuses names and values of the wrong type", () => {
  assert.throws(() => new Fields([[1 as never, "x"]]), TypeError);
  assert.throws(() => new Fields([["a", 1 as never]]), TypeError);
  assert.throws(() => new Fields([["a", new Blob(["x"]) as never]]), TypeError);
});
