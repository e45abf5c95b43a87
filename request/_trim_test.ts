import assert from "node:assert/strict";
import { HTTP_WHITESPACE, OWS, trimChars } from "./_trim.ts";
import { parseMediaType } from "./_form_media_type.ts";

Deno.test("trimChars() trims only the given characters from both ends", () => {
  assert.equal(trimChars(" \t a b \t ", OWS), "a b");
  assert.equal(trimChars("\r\n x \n", HTTP_WHITESPACE), "x");
  assert.equal(trimChars("\u00a0x\u00a0", OWS), "\u00a0x\u00a0");
  assert.equal(trimChars("   ", OWS), "");
});

Deno.test("parseMediaType() takes linear time on a long inner run of white space", () => {
  // With a regular-expression trim this input took about 2 s (quadratic); linear is < 5 ms.
  const value = `multipart/form-data; boundary=x;${" ".repeat(60_000)}a`;
  let fastest = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    assert.equal(parseMediaType(value)?.params.get("boundary"), "x");
    fastest = Math.min(fastest, performance.now() - started);
  }
  assert.ok(fastest < 200, `took ${fastest.toFixed(1)} ms`);
});
