// Internal: an uploaded file kept in a temporary file instead of memory.

const CHUNK = 64 * 1024;

/**
 * A `File` whose bytes are in a temporary file on disk: `size`, `stream()`, `bytes()`,
 * `arrayBuffer()`, `text()` and `slice()` read them from there. Web APIs that take a `Blob`
 * as such (`new Response(file)`, `FormData`) see no bytes: pass `file.stream()` to them.
 */
export class SpooledFile extends File {
  readonly #path: string;
  readonly #offset: number;
  readonly #length: number;

  static {
    // `size` is an accessor of Blob.prototype; TypeScript declares it a property.
    Object.defineProperty(this.prototype, "size", {
      get(this: SpooledFile) {
        return this.#length;
      },
    });
  }

  constructor(
    path: string,
    range: { offset: number; length: number },
    name: string,
    options: FilePropertyBag,
  ) {
    super([], name, options);
    this.#path = path;
    this.#offset = range.offset;
    this.#length = range.length;
  }

  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    const path = this.#path;
    const offset = this.#offset;
    let left = this.#length;
    let file: Deno.FsFile | undefined;
    return new ReadableStream<Uint8Array<ArrayBuffer>>({
      async pull(controller) {
        if (file === undefined) {
          file = await Deno.open(path);
          await file.seek(offset, Deno.SeekMode.Start);
        }
        if (left === 0) {
          file.close();
          controller.close();
          return;
        }
        const buffer = new Uint8Array(Math.min(CHUNK, left));
        const n = await file.read(buffer);
        if (n === null) {
          file.close();
          controller.error(new Error(`Cannot read uploaded file: ${path} was truncated`));
          return;
        }
        left -= n;
        controller.enqueue(buffer.subarray(0, n));
      },
      cancel() {
        file?.close();
      },
    });
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return new Response(this.stream()).arrayBuffer();
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  override slice(start = 0, end = this.#length, contentType = ""): Blob {
    const clamp = (n: number) => Math.min(Math.max(n < 0 ? this.#length + n : n, 0), this.#length);
    const from = clamp(start);
    const length = Math.max(clamp(end) - from, 0);
    return new SpooledFile(this.#path, { offset: this.#offset + from, length }, this.name, {
      type: contentType,
      lastModified: this.lastModified,
    });
  }
}
