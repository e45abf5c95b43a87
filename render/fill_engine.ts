/**
 * The fill-the-marked-nodes engine: loads and caches {@linkcode FillTemplate}s.
 *
 * @module
 */

import { TemplateCache } from "./_template_cache.ts";
import type { FillData, FillNode } from "./fill_node.ts";
import { FillTemplate } from "./fill_template.ts";
import { _checkKeys } from "./_check_keys.ts";
import { TemplateLoader } from "./template_loader.ts";
import { HtmlBytes, Pieces } from "./_html_bytes.ts";
import { WRITE_BYTES } from "./_fill_shared.ts";
import { onTurn, someTurn } from "./_turn.ts";

/** Options for {@linkcode FillEngine}; fixed for the engine's life. */
export interface FillEngineOptions {
  /** Directories searched for templates, in order. */
  searchPath: readonly string[];
  /** Recompile a template when its file changes (default `false`). */
  dev?: boolean;
  /** How many compiled templates the engine keeps (default 100). */
  cacheSize?: number;
  /** Appended to template names that lack it (default `".html"`). */
  extension?: string;
  /** The marker attribute (default `"data-node"`). */
  attribute?: string;
}

/** Fills a fresh template instance; may be async (it may load data first). */
export type FillFunction = (root: FillNode) => void | Promise<void>;

const KEYS = new Set(["searchPath", "dev", "cacheSize", "extension", "attribute"]);

/**
 * Loads fill templates from a search path, compiles each once into a bounded
 * cache, and renders a fresh instance per call.
 *
 * @example Rendering from a controller
 * ```ts
 * import { FillEngine, type FillEngineOptions, type FillFunction } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.html`,
 *   `<h1 data-node="con:title">x</h1><a data-node="con:more" href="#">more</a>`);
 * const options: FillEngineOptions = { searchPath: [dir] };
 * const engine = new FillEngine(options);
 * const fill: FillFunction = (page) => {
 *   page.node("title").text("<Hi>");
 *   page.node("more").omit();
 * };
 * const html = await engine.render("hello", fill);
 * assert.equal(html, "<h1>&lt;Hi&gt;</h1>");
 * assert.equal(await engine.render("hello", { title: "Yo", more: null }), "<h1>Yo</h1>");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class FillEngine {
  #loader: TemplateLoader;
  #cache: TemplateCache<FillTemplate>;
  #htmlBytes: HtmlBytes | undefined;
  // Writing a page is synchronous (values are strings by then): one log serves every render.
  #pieces = new Pieces();

  /**
   * Creates an engine.
   *
   * @param options Search path, dev mode, cache size, extension, marker attribute.
   * @throws {RangeError} On an unknown option, an empty search path or a cache size below 1.
   * @throws {TypeError} When an option has the wrong type.
   */
  constructor(options: FillEngineOptions) {
    _checkKeys("FillEngine", options, KEYS);
    const { searchPath, dev = false, cacheSize = 100, extension = ".html" } = options;
    const attribute = options.attribute ?? "data-node";
    if (typeof dev !== "boolean") {
      throw new TypeError("Cannot construct FillEngine: dev must be a boolean");
    }
    if (!Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new RangeError("Cannot construct FillEngine: cacheSize must be an integer >= 1");
    }
    const loader = new TemplateLoader({ searchPath, extension });
    // Validates the marker attribute now rather than at the first load.
    new FillTemplate("", { attribute });
    this.#loader = loader;
    this.#cache = new TemplateCache(cacheSize, dev, async (name, read) => {
      const file = await loader.resolve(name);
      return new FillTemplate(await read(file), { file, attribute });
    });
  }

  /** The loader resolving names on the search path. */
  get loader(): TemplateLoader {
    return this.#loader;
  }

  /** How many compiled templates the cache holds now. */
  get cachedCount(): number {
    return this.#cache.size;
  }

  /**
   * Returns the compiled template for a name (from the cache when possible).
   *
   * @param name The template name on the search path.
   * @returns The compiled template.
   * @throws {TemplateNotFoundError} When no file matches.
   * @throws {TypeError} When the name is not confined to the search path.
   * @throws {TemplateSyntaxError} When the template does not compile.
   */
  async load(name: string): Promise<FillTemplate> {
    return await this.#cache.get(name);
  }

  /**
   * Renders a template, filled by a function or from plain data.
   *
   * @param name The template name on the search path.
   * @param fill A {@linkcode FillFunction}, or {@linkcode FillData}.
   * @returns The HTML.
   * @throws {TemplateNotFoundError} When no file matches.
   * @throws {TemplateSyntaxError} When the template does not compile.
   * @throws {RangeError} When the fill names a node the template lacks.
   * @throws {UnsafeUrlError} When the fill sets a refused URL.
   */
  render(name: string, fill?: FillFunction | FillData): Promise<string> {
    return this.#finish(name, fill, (root) => root.toString());
  }

  /**
   * Like {@linkcode FillEngine.render} but to UTF-8 bytes: what a server sends.
   *
   * @param name The template name on the search path.
   * @param fill A {@linkcode FillFunction}, or {@linkcode FillData}.
   * @returns The HTML's UTF-8 bytes.
   * @throws {TemplateNotFoundError} When no file matches.
   * @throws {TemplateSyntaxError} When the template does not compile.
   * @throws {RangeError} When the fill names a node the template lacks.
   * @throws {UnsafeUrlError} When the fill sets a refused URL.
   */
  renderBytes(name: string, fill?: FillFunction | FillData): Promise<Uint8Array<ArrayBuffer>> {
    return this.#finish(name, fill, (root) => this.#bytes(root));
  }

  #bytes(root: FillNode): Uint8Array<ArrayBuffer> {
    // Static chunks encoded once per template, values escaped on their UTF-8 bytes by
    // WebAssembly: one pass instead of a regexp test per value, and a rope of values only.
    const pieces = this.#pieces;
    try {
      return root[WRITE_BYTES](this.#htmlBytes ??= new HtmlBytes(), pieces);
    } finally {
      this.#pieces = pieces.next();
    }
  }

  /**
   * Like {@linkcode FillEngine.render} but to a stream of UTF-8 bytes; errors
   * (before any byte) error the stream.
   *
   * @param name The template name on the search path.
   * @param fill A {@linkcode FillFunction}, or {@linkcode FillData}.
   * @returns The stream.
   * @throws {never} Errors error the stream.
   */
  renderStream(name: string, fill?: FillFunction | FillData): ReadableStream<Uint8Array> {
    let inner: ReadableStreamDefaultReader<Uint8Array> | undefined;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        inner ??= (await this.#filled(name, fill)).toStream().getReader();
        const { done, value } = await inner.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => inner?.cancel(reason),
    });
  }

  async #filled(name: string, fill: FillFunction | FillData | undefined): Promise<FillNode> {
    const root = (this.#cache.peek(name) ?? await this.#cache.get(name)).instance();
    await fillRoot(root, fill);
    return root;
  }

  /**
   * Fills and writes a page: for a cached template and a fill that does not return a promise,
   * synchronously, inside one promise (no async frames, no extra microtask turns).
   */
  #finish<T>(
    name: string,
    fill: FillFunction | FillData | undefined,
    write: (root: FillNode) => T,
  ): Promise<T> {
    const template = this.#cache.peek(name);
    if (template === undefined) return this.#filled(name, fill).then(write);
    try {
      const root = template.instance();
      const filled = fillRoot(root, fill);
      if (typeof (filled as PromiseLike<void> | undefined)?.then === "function") {
        return Promise.resolve(filled).then(() => write(root));
      }
      return Promise.resolve(write(root));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/**
 * Fills a fresh instance; returns what a fill function returns (a promise when it awaits).
 * Started inside another render's turn, the fill runs on a turn of its own, across its
 * awaits: a template function of that render that it calls writes nothing (see _turn.ts).
 * Outside every turn it needs none (no render's code writes there).
 */
function fillRoot(root: FillNode, fill: FillFunction | FillData | undefined): unknown {
  if (typeof fill === "function") return someTurn() ? onTurn(true, () => fill(root)) : fill(root);
  // Data runs code too: a value's toString.
  if (fill !== undefined) onTurn(false, () => root.fill(fill));
  return undefined;
}
