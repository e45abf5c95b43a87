import assert from "node:assert/strict";
import {
  isSafeUrl,
  isScriptAttribute,
  isUrlAttribute,
  safeUrl,
  trusted,
  UnsafeUrlError,
} from "./mod.ts";

Deno.test("isSafeUrl() refuses script schemes however they are spelled", async (t) => {
  const refused = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "  javascript:alert(1)",
    "\u0001javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "&amp;#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    "VbScRiPt:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD4=",
  ];
  for (const url of refused) {
    await t.step(JSON.stringify(url), () => {
      assert.equal(isSafeUrl("href", url), false);
      assert.equal(isSafeUrl("src", url, { tag: "iframe" }), false);
      assert.equal(isSafeUrl("formaction", url), false);
    });
  }
});

Deno.test("isSafeUrl() allows ordinary URLs", () => {
  for (
    const url of [
      "/a?b=1&c=2",
      "https://example.com/x",
      "mailto:a@example.com",
      "#top",
      "?q=javascript:",
      "page.html",
      "/javascript:alert(1)",
      "",
    ]
  ) {
    assert.equal(isSafeUrl("href", url), true, url);
  }
});

Deno.test("isSafeUrl() allows data:image only in img src and srcset", () => {
  const png = "data:image/png;base64,iVBORw0KGgo=";
  assert.equal(isSafeUrl("src", png, { tag: "img" }), true);
  assert.equal(isSafeUrl("src", png, { tag: "IMG" }), true);
  assert.equal(isSafeUrl("srcset", `${png} 1x, /b.png 2x`, { tag: "img" }), true);
  assert.equal(isSafeUrl("src", png, { tag: "iframe" }), false);
  assert.equal(isSafeUrl("href", png, { tag: "a" }), false);
  assert.equal(isSafeUrl("src", "data:text/html,x", { tag: "img" }), false);
});

Deno.test("isSafeUrl() checks every srcset candidate", () => {
  assert.equal(isSafeUrl("srcset", "/a.png 1x, /b.png 2x", { tag: "img" }), true);
  assert.equal(isSafeUrl("srcset", "/a.png 1x, javascript:alert(1) 2x", { tag: "img" }), false);
});

Deno.test("isSafeUrl() does not police attributes that take no URL", () => {
  assert.equal(isSafeUrl("title", "javascript:alert(1)"), true);
});

Deno.test("isUrlAttribute() and isScriptAttribute() classify attribute names", () => {
  for (const name of ["href", "src", "action", "formaction", "poster", "cite", "data", "srcset"]) {
    assert.equal(isUrlAttribute(name), true, name);
  }
  assert.equal(isUrlAttribute("class"), false);
  assert.equal(isScriptAttribute("onload"), true);
  assert.equal(isScriptAttribute("srcdoc"), true);
  assert.equal(isScriptAttribute("title"), false);
});

Deno.test("safeUrl() throws UnsafeUrlError unless the value is trusted", () => {
  assert.throws(() => safeUrl("javascript:alert(1)"), UnsafeUrlError);
  assert.throws(() => safeUrl("data:text/html,x", "src", { tag: "img" }), {
    name: "UnsafeUrlError",
    message: /^Cannot set attribute src/,
  });
  assert.equal(safeUrl(trusted("javascript:void 0")), "javascript:void 0");
  assert.equal(safeUrl("/ok"), "/ok");
});
