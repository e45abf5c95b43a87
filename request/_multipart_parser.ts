// Internal: the streaming multipart/form-data parser. It keeps at most one boundary length of
// bytes between chunks (plus the current part's header section), so each byte is examined a
// bounded number of times whatever the chunking: linear time on any input.
import { BodyBuffer } from "./_body_buffer.ts";
import type { ByteBudget } from "./body_budget.ts";
import { SpooledFile } from "./_spooled_file.ts";
import { withBodyReader } from "./_body_reader.ts";
import { type FormBudget, limitError, malformedError, quoteName } from "./_form_budget.ts";
import { parsePartHeaders } from "./_multipart_headers.ts";

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;

const PREAMBLE = 0;
const AFTER_DELIMITER = 1;
const HEADERS = 2;
const BODY = 3;
const EPILOGUE = 4;

// RFC 2046 bchars; the last character may not be a space.
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const EMPTY = new Uint8Array(0);

/** Throws a 400 unless `boundary` is a valid RFC 2046 boundary (1–70 bchars). */
export function checkBoundary(boundary: string): void {
  if (typeof boundary !== "string" || !BOUNDARY.test(boundary)) {
    throw malformedError(
      "the multipart boundary is invalid (it must be 1-70 letters, digits, spaces or " +
        `'()+_,-./:=? and not end in a space)`,
    );
  }
}

interface Part {
  name: string;
  filename: string | undefined;
  contentType: string;
  /** The bytes kept in memory (none once spooled). */
  data: BodyBuffer;
  /** The part's size so far. */
  size: number;
  /** The temporary file an upload above the threshold goes to. */
  spool?: { path: string; file: Deno.FsFile };
}

/** Where uploads above `threshold` bytes go; `onFile` gets each file to remove it later. */
export interface Spool {
  threshold: number;
  dir: string | undefined;
  onFile(path: string): void;
}

/** How a parse keeps bytes: counted against a budget, big uploads spooled to disk. */
export interface PartStorage {
  budget: ByteBudget | undefined;
  spool: Spool | undefined;
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length;) written += file.writeSync(bytes.subarray(written));
}

class MultipartParser {
  readonly #delimiter: Uint8Array;
  readonly #budget: FormBudget;
  readonly #storage: PartStorage;
  #state = PREAMBLE;
  #carry: Uint8Array = EMPTY;
  // AFTER_DELIMITER: 0 start, 1 one "-" seen, 2 in transport padding, 3 CR seen.
  #after = 0;
  #padding = 0;
  #header = new BodyBuffer();
  #headerMatch = 0;
  #part: Part | undefined;

  constructor(delimiter: Uint8Array, budget: FormBudget, storage: PartStorage) {
    this.#delimiter = delimiter;
    this.#budget = budget;
    this.#storage = storage;
  }

  /** Closes the temporary file of an upload cut short (its owner removes it). */
  close(): void {
    this.#part?.spool?.file.close();
  }

  get finished(): boolean {
    return this.#state === EPILOGUE;
  }

  feed(chunk: Uint8Array): void {
    if (this.#state === EPILOGUE) return;
    let buf = chunk;
    if (this.#carry.length > 0) {
      buf = new Uint8Array(this.#carry.length + chunk.length);
      buf.set(this.#carry);
      buf.set(chunk, this.#carry.length);
      this.#carry = EMPTY;
    }
    let pos = 0;
    while (pos < buf.length) {
      switch (this.#state) {
        case PREAMBLE:
        case BODY: {
          const found = this.#find(buf, pos);
          if (found === -1) {
            // Hold back only what could still begin a delimiter: from a CR in the last bytes.
            const D = this.#delimiter.length;
            let keep = buf.indexOf(CR, Math.max(pos, buf.length - (D - 1)));
            if (keep === -1) keep = buf.length;
            this.#emit(buf, pos, keep);
            this.#carry = buf.slice(keep);
            return;
          }
          this.#emit(buf, pos, found);
          if (this.#state === BODY) this.#finishPart();
          pos = found + this.#delimiter.length;
          this.#state = AFTER_DELIMITER;
          this.#after = 0;
          this.#padding = 0;
          break;
        }
        case AFTER_DELIMITER:
          pos = this.#afterDelimiter(buf, pos);
          break;
        case HEADERS:
          pos = this.#headers(buf, pos);
          break;
        default: // EPILOGUE: ignored, as RFC 2046 says
          return;
      }
    }
  }

  end(): void {
    switch (this.#state) {
      case EPILOGUE:
        return;
      case PREAMBLE:
        throw malformedError(
          "the multipart body has no boundary delimiter (does the boundary parameter match?)",
        );
      case BODY:
        throw malformedError(
          `missing the final boundary: the body ends inside part ${quoteName(this.#part!.name)}`,
        );
      default:
        throw malformedError("missing the final boundary: the body ends inside a part's headers");
    }
  }

  #find(buf: Uint8Array, from: number): number {
    const delimiter = this.#delimiter;
    const D = delimiter.length;
    const last = buf.length - D;
    for (let i = from; i <= last; i++) {
      i = buf.indexOf(CR, i);
      if (i === -1 || i > last) return -1;
      let k = 1;
      while (k < D && buf[i + k] === delimiter[k]) k++;
      if (k === D) return i;
    }
    return -1;
  }

  #emit(buf: Uint8Array, from: number, to: number): void {
    const part = this.#part;
    if (this.#state !== BODY || part === undefined || to <= from) return;
    const bytes = buf.subarray(from, to);
    part.size += bytes.length;
    const { maxFileBytes, maxFieldValueBytes } = this.#budget.limits;
    if (part.filename !== undefined && part.size > maxFileBytes) {
      throw limitError(`file ${quoteName(part.name)}`, maxFileBytes, "maxFileBytes");
    }
    if (part.filename === undefined && part.size > maxFieldValueBytes) {
      throw limitError(
        `the value of field ${quoteName(part.name)}`,
        maxFieldValueBytes,
        "maxFieldValueBytes",
      );
    }
    const spool = this.#storage.spool;
    if (
      part.spool === undefined && spool !== undefined && part.filename !== undefined &&
      part.size > spool.threshold
    ) this.#spool(part, spool);
    if (part.spool !== undefined) return writeAll(part.spool.file, bytes);
    this.#storage.budget?.take(bytes.length);
    part.data.push(bytes);
  }

  /** Moves an upload's bytes so far from memory to a new temporary file, which takes the rest. */
  #spool(part: Part, spool: Spool): void {
    const path = Deno.makeTempFileSync({ dir: spool.dir, prefix: "pubkit-upload-" });
    spool.onFile(path);
    part.spool = { path, file: Deno.openSync(path, { write: true }) };
    for (const block of part.data.blocks()) writeAll(part.spool.file, block);
    this.#storage.budget?.give(part.data.length);
    part.data = new BodyBuffer();
  }

  #afterDelimiter(buf: Uint8Array, pos: number): number {
    const { maxPartHeaderBytes } = this.#budget.limits;
    for (; pos < buf.length; pos++) {
      const byte = buf[pos];
      if (this.#after === 0 && byte === DASH) {
        this.#after = 1;
      } else if (this.#after === 1) {
        if (byte !== DASH) break;
        this.#state = EPILOGUE;
        return buf.length;
      } else if ((this.#after === 0 || this.#after === 2) && (byte === SP || byte === HT)) {
        this.#after = 2;
        if (++this.#padding > maxPartHeaderBytes) {
          throw limitError(
            "the padding after a boundary",
            maxPartHeaderBytes,
            "maxPartHeaderBytes",
          );
        }
      } else if (this.#after !== 3 && byte === CR) {
        this.#after = 3;
      } else if (this.#after === 3 && byte === LF) {
        this.#state = HEADERS;
        this.#header = new BodyBuffer();
        this.#headerMatch = 2; // the delimiter line's CRLF counts toward the blank line
        return pos + 1;
      } else {
        break;
      }
    }
    if (pos < buf.length) {
      throw malformedError(
        "a boundary delimiter is followed by unexpected bytes (is the boundary inside a part?)",
      );
    }
    return pos;
  }

  #headers(buf: Uint8Array, pos: number): number {
    const max = this.#budget.limits.maxPartHeaderBytes;
    let match = this.#headerMatch;
    let i = pos;
    let size = this.#header.length;
    while (i < buf.length && match < 4) {
      const byte = buf[i++];
      if (++size > max) {
        throw limitError("a part's header section", max, "maxPartHeaderBytes");
      }
      if (byte === CR) match = match === 2 ? 3 : 1;
      else if (byte === LF && (match === 1 || match === 3)) match++;
      else match = 0;
    }
    this.#header.push(buf.subarray(pos, i));
    this.#headerMatch = match;
    if (match === 4) this.#startPart();
    return i;
  }

  #startPart(): void {
    const raw = this.#header.bytes();
    // Drop the blank line ("\r\n" alone when there are no header lines at all).
    const block = raw.length === 2 ? EMPTY : raw.subarray(0, raw.length - 4);
    const headers = parsePartHeaders(block);
    const nameBytes = new TextEncoder().encode(headers.name).length;
    this.#budget.admit(nameBytes, headers.filename !== undefined);
    this.#part = { ...headers, data: new BodyBuffer(), size: 0 };
    this.#header = new BodyBuffer();
    this.#state = BODY;
  }

  #finishPart(): void {
    const part = this.#part!;
    this.#part = undefined;
    if (part.spool !== undefined) {
      part.spool.file.close();
      const range = { offset: 0, length: part.size };
      this.#budget.add(
        part.name,
        new SpooledFile(part.spool.path, range, part.filename!, { type: part.contentType }),
      );
      return;
    }
    if (part.filename !== undefined) {
      this.#budget.add(
        part.name,
        new File(part.data.blocks() as BlobPart[], part.filename, { type: part.contentType }),
      );
      return;
    }
    let value: string;
    try {
      value = utf8.decode(part.data.bytes());
    } catch (error) {
      throw malformedError(`the value of field ${quoteName(part.name)} is not valid UTF-8`, error);
    }
    this.#budget.add(part.name, value);
  }
}

/** Reads and parses a multipart body into `budget`, cancelling the stream on any failure. */
export function parseMultipartInto(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  budget: FormBudget,
  signal: AbortSignal | undefined,
  storage: PartStorage = { budget: undefined, spool: undefined },
): Promise<void> {
  checkBoundary(boundary);
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  const parser = new MultipartParser(delimiter, budget, storage);
  const { maxMultipartBytes } = budget.limits;
  return withBodyReader(body, signal, async (reader) => {
    // A virtual CRLF lets a body that starts with "--boundary" match the delimiter.
    parser.feed(new Uint8Array([CR, LF]));
    for (let chunk = await reader.read(); chunk !== undefined; chunk = await reader.read()) {
      if (reader.bytesRead > maxMultipartBytes) {
        throw limitError("the multipart body", maxMultipartBytes, "maxMultipartBytes");
      }
      parser.feed(chunk);
    }
    parser.end();
  }).finally(() => parser.close());
}
