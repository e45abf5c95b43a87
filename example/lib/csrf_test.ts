import assert from "node:assert/strict";
import { HttpError } from "@pubkit/request";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { checkCsrf, csrfToken } from "./csrf.ts";

const MESSAGE = "Cannot accept this form: its CSRF token is missing or wrong";

Deno.test("csrfToken() keeps one token per session; checkCsrf() refuses anything else with 403", async (t) => {
  await using manager = new SessionManager({
    store: new MemoryStore(),
    secrets: ["a secret of at least thirty-two characters"],
  });
  await using session = await manager.open(new Headers(), { owner: {} });
  await using other = await manager.open(new Headers(), { owner: {} });

  const token = csrfToken(session);
  await t.step("stable within a session, different across sessions", () => {
    assert.match(token, /^[0-9a-f-]{36}$/);
    assert.equal(csrfToken(session), token);
    assert.notEqual(csrfToken(other), token);
  });
  await t.step("the right token passes", () => {
    checkCsrf(session, token);
  });
  const refused: [string, unknown][] = [
    ["missing", undefined],
    ["empty", ""],
    ["not a string", 42],
    ["another session's", csrfToken(other)],
    ["one character off", token.slice(0, -1) + (token.endsWith("0") ? "1" : "0")],
    ["a prefix", token.slice(0, 10)],
    ["longer", token + "0"],
  ];
  for (const [name, sent] of refused) {
    await t.step(`${name} token → 403`, () => {
      assert.throws(() => checkCsrf(session, sent), (error: unknown) => {
        assert.ok(error instanceof HttpError);
        assert.equal(error.status, 403);
        assert.equal(error.message, MESSAGE);
        return true;
      });
    });
  }
  await t.step("a session without a token refuses every form", async () => {
    await using fresh = await manager.open(new Headers(), { owner: {} });
    assert.throws(() => checkCsrf(fresh, token), HttpError);
  });
});
