// Internal test helpers: build multipart bodies and feed bytes in chosen chunkings.

/** One part for {@linkcode multipartBody}. */
export interface TestPart {
  name: string;
  value: string | Uint8Array;
  filename?: string;
  contentType?: string;
}

const encoder = new TextEncoder();

/** Builds a well-formed multipart/form-data body. */
export function multipartBody(boundary: string, parts: TestPart[]): Uint8Array<ArrayBuffer> {
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += "\r\n";
    if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    pieces.push(encoder.encode(`${head}\r\n`));
    pieces.push(typeof part.value === "string" ? encoder.encode(part.value) : part.value);
    pieces.push(encoder.encode("\r\n"));
  }
  pieces.push(encoder.encode(`--${boundary}--\r\n`));
  return concat(pieces);
}

/** Concatenates byte arrays. */
export function concat(pieces: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece, offset);
    offset += piece.length;
  }
  return out;
}

/** Splits `bytes` at the given (sorted or not) offsets. */
export function splitAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.slice(start, cut));
    start = cut;
  }
  return chunks;
}

/** A stream that yields `chunks` one per pull and records how many bytes were pulled. */
export function streamOf(
  chunks: Iterable<Uint8Array>,
): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  const iterator = chunks[Symbol.iterator]();
  let pulled = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      pulled += next.value.length;
      controller.enqueue(next.value);
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled, cancelled: () => cancelled };
}

/** Endless chunks of `size` bytes of `fill`. */
export function* endless(size: number, fill = 0x61): Generator<Uint8Array> {
  while (true) yield new Uint8Array(size).fill(fill);
}
