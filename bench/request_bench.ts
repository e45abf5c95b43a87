// @pubkit/request on the hot path: Req creation with cookies, query, urlencoded and multipart
// parsing, each against what the platform gives for free.
// Run alone: deno run -A bench/request_bench.ts
import { bench, do_not_optimize, group } from "mitata";
import { Req } from "@pubkit/request";
import { parseMultipart, parseQuery, parseUrlEncoded } from "@pubkit/request/body";
import { runBenches, type Target } from "./_run.ts";

const MiB = 1024 * 1024;
const COOKIE = `sid=${"a".repeat(43)}.${
  "b".repeat(43)
}; theme=dark; _ga=GA1.2.1234567890.1700000000`;
const request = new Request("http://localhost:8000/shop/cart/items/42?sort=price&page=2", {
  headers: { cookie: COOKIE, "user-agent": "bench", accept: "text/html" },
});

// What a hand-written handler does to get the same facts from a raw Request.
function rawCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

group("Req + cookies", () => {
  bench("raw Request: new URL + cookie split", () => {
    const url = new URL(request.url);
    do_not_optimize(url.pathname);
    do_not_optimize(rawCookies(request.headers.get("cookie")).sid);
  }).baseline();
  bench("new Req(request) + req.path + req.cookies", () => {
    const req = new Req(request);
    do_not_optimize(req.path);
    do_not_optimize(req.cookies.sid);
  });
});

/** `n` fields whose values together make about `bytes` bytes, with some escapes to decode. */
function urlencoded(n: number, bytes: number): string {
  const value = "x%20y+z%C3%A9".padEnd(Math.max(13, Math.floor(bytes / n) - 8), "v");
  return Array.from({ length: n }, (_, i) => `f${i}=${value}`).join("&");
}

const SMALL_QUERY = "q=red+shoes&size=42&sort=price&page=2&in%20stock=1";
const BIG_QUERY = urlencoded(500, MiB);
const BIG_LIMITS = { maxUrlEncodedBytes: 2 * MiB, maxFieldValueBytes: 2 * MiB };

// Small inputs use the default limits, as Req does; 1 MiB ones need raised limits.
const cases = [["small", undefined], ["1 MiB", BIG_LIMITS]] as const;

for (const [[label, limits], query] of [[cases[0], SMALL_QUERY], [cases[1], BIG_QUERY]] as const) {
  group(`query ${label}`, () => {
    bench("URLSearchParams", () => {
      do_not_optimize(new URLSearchParams(query).get("f1"));
    }).baseline();
    bench("parseQuery", () => {
      do_not_optimize(parseQuery(query, limits).get("f1"));
    });
  });
}

const encoder = new TextEncoder();
const SMALL_BODY: Uint8Array = encoder.encode(
  "name=Ada+Lovelace&email=ada%40example.com&message=Hello%21",
);
const BIG_BODY = encoder.encode(urlencoded(500, MiB));
for (const [[label, limits], body] of [[cases[0], SMALL_BODY], [cases[1], BIG_BODY]] as const) {
  group(`urlencoded ${label}`, () => {
    bench("TextDecoder + URLSearchParams", () => {
      do_not_optimize(new URLSearchParams(new TextDecoder().decode(body)).get("f1"));
    }).baseline();
    bench("parseUrlEncoded", () => {
      do_not_optimize(parseUrlEncoded(body, limits).get("f1"));
    });
  });
}

const BOUNDARY = "----pubkitbench7MA4YWxkTrZu0gW";
function multipart(fileBytes: number): Uint8Array<ArrayBuffer> {
  const head = [
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nHello\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="tags"\r\n\r\na,b,c\r\n`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`,
  ].join("");
  const tail = `\r\n--${BOUNDARY}--\r\n`;
  const file = new Uint8Array(fileBytes).fill(0x61);
  return new Uint8Array([...encoder.encode(head), ...file, ...encoder.encode(tail)]);
}

const SMALL_MULTIPART = multipart(200);
const BIG_MULTIPART = multipart(MiB);
for (const [label, body] of [["small", SMALL_MULTIPART], ["1 MiB", BIG_MULTIPART]] as const) {
  group(`multipart ${label}`, () => {
    bench("Request.formData()", async () => {
      const form = await new Request("http://localhost/", {
        method: "POST",
        body,
        headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      }).formData();
      do_not_optimize(form.get("file"));
    }).baseline();
    bench("parseMultipart", async () => {
      const fields = await parseMultipart(new Response(body).body!, BOUNDARY);
      do_not_optimize(fields.get("file"));
    });
  });
}

/** Targets of issue 10 for this file (none are ratios the issue names; kept for the table). */
export const targets: Target[] = [];

if (import.meta.main) await runBenches("@pubkit/request", targets);
