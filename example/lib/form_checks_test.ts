import assert from "node:assert/strict";
import { HttpError } from "@pubkit/request";
import { text, userName } from "./form_checks.ts";

function refuses(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("text() trims and enforces its length limits with a message naming the field", () => {
  assert.equal(text("  hi  ", "the title", 1, 5), "hi");
  assert.equal(text("x".repeat(5), "the title", 1, 5), "xxxxx");
  refuses(
    () => text("   ", "the title", 1, 5),
    "Cannot accept the title: it must have at least 1 character",
  );
  refuses(
    () => text(undefined, "the title", 2, 5),
    "Cannot accept the title: it must have at least 2 characters",
  );
  refuses(
    () => text(["a", "b"], "the title", 1, 5),
    "Cannot accept the title: it must have at least 1 character",
  );
  refuses(
    () => text("x".repeat(6), "the title", 1, 5),
    "Cannot accept the title: it must have at most 5 characters",
  );
});

Deno.test("userName() accepts 3–32 letters, digits, _ and - only", () => {
  assert.equal(userName(" ada_L-1 "), "ada_L-1");
  refuses(() => userName("ab"), "Cannot accept the user name: it must have at least 3 characters");
  refuses(
    () => userName("a".repeat(33)),
    "Cannot accept the user name: it must have at most 32 characters",
  );
  for (const bad of ["ada lovelace", "ada<script>", "élodie", "a/b"]) {
    refuses(() => userName(bad), "Cannot accept the user name: use letters, digits, _ and - only");
  }
});
