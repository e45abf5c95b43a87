import assert from "node:assert/strict";
import { notModified, rangeApplies } from "./conditional.ts";

const headers = (init: Record<string, string>) => new Headers(init);

Deno.test("notModified() compares If-None-Match weakly (RFC 9110 §13.1.2)", () => {
  const cases: [string, string, boolean][] = [
    ['"v1"', '"v1"', true],
    ['"v1"', 'W/"v1"', true], // a strong tag in the request against a weak ETag
    ['W/"v1"', '"v1"', true],
    ['W/"v1"', 'W/"v1"', true],
    ['"v0", W/"v1"', '"v1"', true],
    ["*", '"v1"', true],
    ['"v2"', 'W/"v1"', false],
    ['"V1"', '"v1"', false],
  ];
  for (const [ifNoneMatch, etag, expected] of cases) {
    assert.equal(
      notModified(headers({ "if-none-match": ifNoneMatch }), { etag }),
      expected,
      `${ifNoneMatch} vs ${etag}`,
    );
  }
  assert.equal(notModified(headers({ "if-none-match": '"v1"' }), {}), false);
});

Deno.test("notModified() reads If-Modified-Since only without If-None-Match", () => {
  const lastModified = new Date("2024-05-01T10:00:00.900Z");
  const since = "Wed, 01 May 2024 10:00:00 GMT";
  assert.ok(notModified(headers({ "if-modified-since": since }), { lastModified }));
  assert.ok(notModified(headers({ "if-modified-since": since }), { lastModified: since }));
  assert.ok(
    !notModified(headers({ "if-modified-since": "Wed, 01 May 2024 09:59:59 GMT" }), {
      lastModified,
    }),
  );
  assert.ok(
    !notModified(headers({ "if-none-match": '"x"', "if-modified-since": since }), {
      etag: '"y"',
      lastModified,
    }),
  );
  assert.ok(!notModified(headers({ "if-modified-since": "yesterday" }), { lastModified }));
});

Deno.test("rangeApplies() needs a strong ETag match or the exact date in If-Range", () => {
  const lastModified = "Wed, 01 May 2024 10:00:00 GMT";
  assert.ok(rangeApplies(headers({}), {}));
  assert.ok(rangeApplies(headers({ "if-range": '"a"' }), { etag: '"a"' }));
  assert.ok(!rangeApplies(headers({ "if-range": '"a"' }), { etag: 'W/"a"' }));
  assert.ok(!rangeApplies(headers({ "if-range": 'W/"a"' }), { etag: 'W/"a"' }));
  assert.ok(rangeApplies(headers({ "if-range": lastModified }), { lastModified }));
  assert.ok(
    !rangeApplies(headers({ "if-range": "Wed, 01 May 2024 09:00:00 GMT" }), { lastModified }),
  );
});
