/** Fuzz target: `multipart/form-data` bodies, structured and mutated, in any chunking. */
import fc from "fast-check";
import { parseMultipart } from "@pubkit/request/body";
import { anyString, checkLinear, checkTotal, chunked, DANGEROUS, params } from "./_fuzz.ts";

const B = "XyZzy";

/** Shrunk counterexamples, kept as literal inputs (bodies for boundary `XyZzy`). */
export const regressions: readonly string[] = [
  `--${B}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n--${B}--\r\n`,
  `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n--${B}`,
  `--${B}--`,
  `--${B}\r\n\r\n\r\n--${B}--\r\n`,
  `--${B}\r\nContent-Disposition: form-data; name="f"; filename="../../x"\r\n\r\n\r\n--${B}--\r\n`,
  `--${B}\r\nContent-Disposition: form-data; name*=UTF-8''%E2%82\r\n\r\n\r\n--${B}--\r\n`,
  // Quadratic header trimming: a long run of spaces inside a header value took ~110 ms (16 KiB header limit).
  `--${B}\r\nContent-Disposition: form-data; name="${" ".repeat(16_000)}"\r\n\r\nx\r\n--${B}--\r\n`,
];

const part = fc.record({
  name: anyString(20),
  filename: fc.option(anyString(20)),
  headers: fc.array(anyString(40), { maxLength: 3 }),
  body: anyString(100),
});

const structured = fc.tuple(fc.array(part, { maxLength: 6 }), fc.boolean(), anyString(10))
  .map(([parts, closed, epilogue]) =>
    parts.map((p) =>
      `--${B}\r\nContent-Disposition: form-data; name="${p.name}"` +
      (p.filename === null ? "" : `; filename="${p.filename}"`) + "\r\n" +
      p.headers.map((h) => h + "\r\n").join("") + `\r\n${p.body}\r\n`
    ).join("") + (closed ? `--${B}--\r\n${epilogue}` : "")
  );

/** A structured body with bytes cut, duplicated or replaced at random places. */
const mutated = fc.tuple(
  structured,
  fc.array(fc.tuple(fc.nat(), fc.nat(8), anyString(6)), { maxLength: 4 }),
)
  .map(([text, edits]) => {
    let out = text;
    for (const [at, remove, insert] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      out = out.slice(0, i) + insert + out.slice(i + remove);
    }
    return out;
  });

const body = fc.oneof(structured, mutated, anyString(), fc.uint8Array({ maxLength: 400 }));

async function parse(input: string | Uint8Array, cuts: number[] = []) {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const fields = await parseMultipart(chunked(bytes, cuts), B);
  for (const [, value] of fields) if (value instanceof File) await value.arrayBuffer();
  return fields;
}

Deno.test("fuzz: multipart bodies end in fields or a 4xx in any chunking", async (t) => {
  await t.step("regressions and dangerous seeds", async () => {
    for (const input of [...regressions, ...DANGEROUS]) await checkTotal((i) => parse(i), input);
  });
  await t.step("generated bodies, one byte at a time and in random chunks", async () => {
    const cuts = fc.oneof(fc.array(fc.nat(), { maxLength: 10 }), fc.constant([-1] as number[]));
    await fc.assert(
      fc.asyncProperty(body, cuts, async (input, points) => {
        const length = typeof input === "string"
          ? new TextEncoder().encode(input).length
          : input.length;
        // One byte per chunk costs the stream machinery ~5 µs a chunk: keep those bodies short
        // enough that the 100 ms budget measures the parser, not the harness.
        const all = points[0] === -1
          ? Array.from({ length: Math.min(length, 1024) }, (_, i) => i)
          : points;
        await checkTotal((i) => parse(i, all), input);
      }),
      params(300),
    );
  });
  await t.step("linear in the body length", async () => {
    const run = (input: unknown) => parse(input as string);
    const field = (n: number) =>
      `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n${"-".repeat(n)}\r\n--${B}--\r\n`;
    await checkLinear("parseMultipart (one field)", field, run);
    await checkLinear(
      "parseMultipart (near-boundaries)",
      (n) =>
        `--${B}\r\nContent-Disposition: form-data; name="a"\r\n\r\n${
          `\r\n--${B.slice(0, 4)}`.repeat(n / 10)
        }\r\n--${B}--\r\n`,
      run,
    );
    await checkLinear(
      "parseMultipart (spaces inside a header)",
      (n) =>
        `--${B}\r\nContent-Disposition: form-data; name="${
          " ".repeat(n)
        }x"\r\n\r\nv\r\n--${B}--\r\n`,
      run,
    );
    await checkLinear(
      "parseMultipart (header flood)",
      (n) =>
        `--${B}\r\nContent-Disposition: form-data; name="a"\r\n${
          "X: y\r\n".repeat(n / 6)
        }\r\nv\r\n--${B}--\r\n`,
      run,
    );
  });
});
