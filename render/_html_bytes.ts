// The engines' renderBytes(). The embedded engine's template renders its values alone, one
// string, and logs its pieces; the values are encoded once and WebAssembly (_html_bytes.wat)
// writes the page, static chunks (encoded once per template) between values escaped 16 bytes at
// a time. On the issue 7 page this replaced 300 regexp tests and a 700-piece rope that V8
// flattened before encoding: together about three quarters of renderBytes(). The fill engine
// writes its pages the same way, its static chunks those of the template's marked nodes.
import { escapeHtml } from "./escape_html.ts";
import { HTML_BYTES_WASM } from "./_html_bytes_wasm.ts";

/** Below this offset the module keeps its replacement table. */
const TABLE_END = 1024;
/**
 * The most memory the module may take (it keeps the most a page needed and never shrinks);
 * a page that needs more is assembled as a string and encoded.
 */
const MAX_MEMORY = 16 << 20;
const ENCODER = new TextEncoder();

interface HtmlBytesExports {
  memory: WebAssembly.Memory;
  assemble(
    pieces: number,
    count: number,
    statics: number,
    table: number,
    chunks: number,
    values: number,
    length: number,
    out: number,
    limit: number,
  ): number;
  toByteOffsets(pieces: number, count: number, values: number, length: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module; null where WebAssembly SIMD is not available. */
function htmlBytesModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const binary = atob(HTML_BYTES_WASM);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      compiled = new WebAssembly.Module(bytes);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A template's static text, chunk by chunk, and its UTF-8 for {@linkcode HtmlBytes}. */
export class StaticChunks {
  /** The chunks' UTF-8, one after another, and 16 bytes more (the module reads 16 at a time). */
  readonly bytes: Uint8Array;
  /** For each chunk its offset into `bytes` and its length. */
  readonly table: Int32Array;

  constructor(readonly texts: readonly string[]) {
    const encoded = texts.map((text) => ENCODER.encode(text));
    this.bytes = new Uint8Array(encoded.reduce((sum, bytes) => sum + bytes.length, 16));
    this.table = new Int32Array(texts.length * 2);
    let offset = 0;
    encoded.forEach((bytes, k) => {
      this.bytes.set(bytes, offset);
      this.table[2 * k] = offset;
      this.table[2 * k + 1] = bytes.length;
      offset += bytes.length;
    });
  }
}

/**
 * The pieces of one render, in order, `count` of them in `log`: a static chunk as -1 - its
 * number, a value as its end in the values string (UTF-16 units) doubled, plus 1 when it is
 * copied as it is rather than escaped (a value starts where the one before it ended).
 */
export class Pieces {
  log: Int32Array = new Int32Array(1024);
  count = 0;

  /** A larger log (at least `size`) holding what this one holds. */
  grow(size: number): Int32Array {
    const next = new Int32Array(Math.max(size, this.log.length * 2));
    next.set(this.log);
    return this.log = next;
  }

  /** Appends a piece, growing the log when it is full. */
  add(piece: number): void {
    if (this.count === this.log.length) this.grow(this.count + 1);
    this.log[this.count++] = piece;
  }

  /** This log for the next render, or a new one when this one grew for a huge page. */
  next(): Pieces {
    return this.log.length > MAX_KEPT_PIECES ? new Pieces() : this;
  }
}

/** A log grown past this many pieces (256 KiB) is not kept for the next page. */
const MAX_KEPT_PIECES = 1 << 16;

/**
 * The page as a string: the reference for {@linkcode HtmlBytes}, and its path for pages too
 * large for it or where WebAssembly SIMD is missing.
 */
export function assembleText(values: string, pieces: Pieces, statics: StaticChunks): string {
  const { log, count } = pieces;
  let out = "";
  let start = 0;
  for (let j = 0; j < count; j++) {
    const piece = log[j];
    if (piece < 0) {
      if (-1 - piece >= statics.texts.length) throw corruptLog();
      out += statics.texts[-1 - piece];
      continue;
    }
    const end = piece >> 1;
    if (end < start || end > values.length) throw corruptLog();
    const text = values.slice(start, start = end);
    out += piece & 1 ? text : escapeHtml(text);
  }
  return out;
}

/** A pieces log naming a chunk that is not there or a value out of order: a bug in pubkit. */
const corruptLog = () =>
  new Error("Cannot assemble the page: its pieces log is corrupt (a bug in the engine)");

const align = (offset: number) => (offset + 15) & ~15;

/** Assembles pages as UTF-8 bytes; one per engine (not reentrant). */
export class HtmlBytes {
  #exports: HtmlBytesExports | undefined;
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #words = new Int32Array(0);
  /** The chunks now in memory at TABLE_END (a template rendered again needs no copy). */
  #loaded: StaticChunks | undefined;
  #lastLength = 0;

  constructor() {
    const module = htmlBytesModule();
    if (module !== null) {
      this.#exports = new WebAssembly.Instance(module).exports as unknown as HtmlBytesExports;
    }
  }

  /** The UTF-8 bytes of the page that `values` and `pieces` describe (see {@linkcode Pieces}). */
  encode(values: string, pieces: Pieces, statics: StaticChunks): Uint8Array<ArrayBuffer> {
    const wasm = this.#exports;
    const tableAt = align(TABLE_END + statics.bytes.length);
    const piecesAt = tableAt + statics.table.length * 4;
    const valuesAt = align(piecesAt + pieces.count * 4);
    const outAt = align(valuesAt + values.length * 3 + 16); // a unit is 3 bytes at most
    const limit = MAX_MEMORY - 16;
    if (wasm === undefined || outAt >= limit) {
      return ENCODER.encode(assembleText(values, pieces, statics));
    }
    // Room for a page a quarter longer than the last one; twice as much when it is not enough.
    let room = Math.min(limit - outAt, Math.max(65536, Math.ceil(this.#lastLength * 1.25)));
    this.#reserve(outAt + room + 16);
    if (this.#loaded !== statics) {
      this.#bytes.set(statics.bytes, TABLE_END);
      this.#words.set(statics.table, tableAt >> 2);
      this.#loaded = statics;
    }
    this.#words.set(pieces.log.subarray(0, pieces.count), piecesAt >> 2);
    const { written } = ENCODER.encodeInto(
      values,
      this.#bytes.subarray(valuesAt, valuesAt + values.length * 3),
    );
    // Only ASCII has as many bytes as units. Lone surrogates at the edges of two values were
    // joined into one character by the encoder, where the page may hold them apart: that rare
    // page is assembled as a string.
    if (
      written !== values.length &&
      wasm.toByteOffsets(piecesAt, pieces.count, valuesAt, written) === 1
    ) return ENCODER.encode(assembleText(values, pieces, statics));
    for (;;) {
      const length = wasm.assemble(
        piecesAt,
        pieces.count,
        TABLE_END,
        tableAt,
        statics.texts.length,
        valuesAt,
        written,
        outAt,
        outAt + room,
      );
      if (length >= 0) {
        this.#lastLength = length;
        return this.#bytes.slice(outAt, outAt + length);
      }
      if (length === -2) throw corruptLog();
      if (outAt + room >= limit) return ENCODER.encode(assembleText(values, pieces, statics));
      room = Math.min(limit - outAt, room * 2);
      this.#reserve(outAt + room + 16);
    }
  }

  #reserve(size: number): void {
    const memory = this.#exports!.memory;
    if (memory.buffer.byteLength < size) {
      memory.grow(Math.ceil((size - memory.buffer.byteLength) / 65536));
    }
    if (this.#bytes.buffer !== memory.buffer) {
      // A memory that is not shared has an ArrayBuffer.
      const buffer = memory.buffer as ArrayBuffer;
      this.#bytes = new Uint8Array(buffer);
      this.#words = new Int32Array(buffer);
    }
  }
}
