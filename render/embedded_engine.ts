/**
 * The embedded-code engine: templates are HTML with `<% %>` JavaScript.
 *
 * @module
 */

import { type CompiledEmbedded, compileEmbedded } from "./_embedded_compile.ts";
import { TemplateCache } from "./_template_cache.ts";
import { escapeHtml } from "./escape_html.ts";
import { escapeValue } from "./escape_value.ts";
import {
  jsonForScript,
  JsonText,
  jsString,
  jsValue,
  toText,
  urlEscapers,
} from "./_context_escapers.ts";
import { HtmlBytes, Pieces } from "./_html_bytes.ts";
import { onTurn, TURN, writeOnTurn } from "./_turn.ts";
import { safeUrl } from "./safe_url.ts";
import { TemplateLoader } from "./template_loader.ts";
import { _checkKeys } from "./_check_keys.ts";
import { TemplateRuntimeError } from "./errors.ts";

/** Options for {@linkcode EmbeddedEngine}; fixed for the engine's life. */
export interface EmbeddedEngineOptions {
  /** Directories searched for templates, in order. */
  searchPath: readonly string[];
  /** Recompile a template when it or any file it includes changes (default `false`). */
  dev?: boolean;
  /** How many compiled templates the engine keeps, least recently used dropped first (default 100). */
  cacheSize?: number;
  /** Appended to template names that lack it (default `".ehtml"`). */
  extension?: string;
  /**
   * Called when the URL policy refuses a value in a URL attribute (the page gets
   * `about:invalid#pubkit` instead). Default: `console.warn` in dev mode, nothing otherwise.
   */
  onRefusedUrl?: (refusal: RefusedUrl) => void;
}

/** A value the URL policy refused while rendering, for {@linkcode EmbeddedEngineOptions.onRefusedUrl}. */
export interface RefusedUrl {
  /** The attribute (`href`, `srcset`, `content` of a meta refresh, …). */
  attribute: string;
  /** The refused value. */
  value: string;
  /** The hole: `file:line:column` of its `<%=`. */
  where: string;
}

const KEYS = new Set(["searchPath", "dev", "cacheSize", "extension", "onRefusedUrl"]);

function toRaw(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const ENCODER = new TextEncoder();
const encode = (html: string): Uint8Array<ArrayBuffer> => ENCODER.encode(html);
const same = (text: string): string => text;

// `new Function` puts two lines ("function anonymous(it,__h" and ") {") before the body.
const HEADER_LINES = 2;

/**
 * Renders embedded-code templates found on a search path.
 *
 * Syntax: `<% code %>` runs JavaScript (blocks use braces; `await` works),
 * `<%= expr %>` writes the value escaped for its context, `<%~ expr %>`
 * writes it raw, `<%-- comment --%>` is dropped, `<%@ include file="x" %>`
 * inlines another file (relative to the including file; cycles are a compile
 * error) and `<%%` writes a literal `<%`. The data is `it`; `json(value)`
 * encodes a value for a `<script>`; `url(value)` throws
 * `UnsafeUrlError` on a refused URL ({@linkcode safeUrl}).
 *
 * The context of every `<%= %>` is decided once, when the template compiles
 * (after Go's `html/template`), from the static HTML before it in source order:
 *
 * | context | `<%= x %>` writes |
 * | --- | --- |
 * | text, comment, `<title>`, `<textarea>`, quoted attribute | `x` HTML-escaped |
 * | unquoted attribute value | compile error: quote the attribute |
 * | URL attribute (`href`, `src`, `action`, `formaction`, `srcset`, `xlink:href`, `poster`, `ping`, `data`, …), meta refresh `content`, SVG animation `to`/`from`/`by`/`values` | `x` after the URL policy, HTML-escaped; a refused URL is `about:invalid#pubkit` and goes to `onRefusedUrl` |
 * | the same after a static scheme, path or query (`href="/u/<%= id %>"`) | `x` HTML-escaped |
 * | where static text could complete the scheme (`href="java<%= x %>"`, `"&#106;<%= x %>"`, `"<%= x %>&#58;y"`) or a value could finish a static character reference (`"&#<%= x %>"`) | compile error |
 * | after a static `javascript:`, `vbscript:` or `data:` scheme (`href="javascript:go('<%= x %>')"`; not `data:image/` in `<img src>`) | compile error |
 * | `<script>` string or template literal | `x` with JavaScript string escapes (`\`, quotes, backtick, `$`, `<`, `>`, `&`, `/`, controls, U+2028/2029) |
 * | `<script>` code, JSON data block | `x` as JSON with `<`, `>`, `&` escaped (`json(x)` the same) |
 * | script regular expression or comment, script of another type, `<style>`, `style`, `on…`, `srcdoc`, `http-equiv`, tag or attribute name | compile error (`TemplateSyntaxError` with file, line, column) |
 * | text of a `<style>` or `<script>` inside `<svg>`/`<math>` (CSS, or script read as markup with character references) | compile error |
 *
 * Static text is read as the browser reads it: attribute values with their
 * character references decoded (and, in URLs, tabs and newlines dropped)
 * before a scheme, an `http-equiv` or a script `type` is decided; of a
 * repeated attribute the first counts; a meta refresh URL is checked with
 * the static text on both sides of the value; inside `<svg>` and `<math>`
 * elements follow the parser's rules for foreign content (`<p>`, `<div>`, …
 * leave it; `<foreignObject>`, `<desc>`, SVG `<title>` and MathML text
 * elements hold HTML).
 *
 * `<%~ %>` is allowed everywhere and is the author's responsibility.
 *
 * Templates are code: compile only files you wrote, never user input. The
 * data passed to `render` is only ever data: no option is read from it.
 *
 * @example Rendering a page
 * ```ts
 * import { EmbeddedEngine, type EmbeddedEngineOptions } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hello.ehtml`,
 *   "<h1><%= it.title %></h1><% for (const x of it.items) { %><i><%= x %></i><% } %>");
 * const options: EmbeddedEngineOptions = { searchPath: [dir], cacheSize: 50 };
 * const engine = new EmbeddedEngine(options);
 * const html = await engine.render("hello", { title: "A & B", items: ["<1>", "2"] });
 * assert.equal(html, "<h1>A &amp; B</h1><i>&lt;1&gt;</i><i>2</i>");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class EmbeddedEngine {
  #loader: TemplateLoader;
  #cache: TemplateCache<CompiledEmbedded>;
  #helpers: Record<string, unknown>;
  /** The helpers of a template's bytes form: HTML escaping is left to `HtmlBytes`. */
  #bytesHelpers: Record<string, unknown>;
  #htmlBytes: HtmlBytes | undefined;
  /** The pieces log of the next bytes render (undefined while one runs). */
  #pieces: Pieces | undefined = new Pieces();

  /**
   * Creates an engine.
   *
   * @param options Search path, dev mode, cache size, extension.
   * @throws {RangeError} On an unknown option, an empty search path or a cache size below 1.
   * @throws {TypeError} When an option has the wrong type.
   */
  constructor(options: EmbeddedEngineOptions) {
    _checkKeys("EmbeddedEngine", options, KEYS);
    const { searchPath, dev = false, cacheSize = 100, extension = ".ehtml" } = options;
    if (typeof dev !== "boolean") {
      throw new TypeError("Cannot construct EmbeddedEngine: dev must be a boolean");
    }
    if (!Number.isInteger(cacheSize) || cacheSize < 1) {
      throw new RangeError("Cannot construct EmbeddedEngine: cacheSize must be an integer >= 1");
    }
    const report = options.onRefusedUrl ?? (dev ? warnRefused : undefined);
    if (report !== undefined && typeof report !== "function") {
      throw new TypeError("Cannot construct EmbeddedEngine: onRefusedUrl must be a function");
    }
    const reportRefused = report &&
      ((attribute: string, value: string, where: string) => report({ attribute, value, where }));
    const urls = urlEscapers(reportRefused);
    this.#helpers = {
      e: escapeValue,
      x: escapeHtml,
      s: toRaw,
      js: jsString,
      jv: jsValue,
      u: urls.url,
      an: urls.animation,
      rf: urls.refresh,
      url: safeUrl,
      json: (value: unknown) => new JsonText(jsonForScript(value)),
      w: writeOnTurn,
      T: TURN,
    };
    const unescaped = urlEscapers(reportRefused, same);
    this.#bytesHelpers = {
      ...this.#helpers,
      e: toText,
      x: same,
      u: unescaped.url,
      an: unescaped.animation,
      rf: unescaped.refresh,
    };
    const loader = new TemplateLoader({ searchPath, extension });
    this.#loader = loader;
    this.#cache = new TemplateCache(cacheSize, dev, async (name, read) => {
      const file = await loader.resolve(name);
      return await compileEmbedded(file, {
        read,
        resolveInclude: (from, target) => loader.resolveRelative(from, target),
      }, `pubkit-template:${file}`);
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
   * Renders a template to a string. Code that returns early (`<% return x %>`) makes the page
   * what it returns, awaited, converted with `String()` and not escaped: return a page (or
   * nothing: `null` and `undefined` give an empty one), not data. Output written out of turn is
   * dropped: by a function of the template called inside a `<%= %>`, or by a closure or
   * generator kept from one render (in shared data) and called by another render (nested in
   * it, after it, or while it is paused at an `await`) or after it finished: a template's code
   * writes only on its own render's turn. A thenable from shared data that a render awaits
   * runs on that render's turn: the engine does not isolate templates that share code on
   * purpose that way.
   *
   * @param name The template name on the search path (extension optional).
   * @param data The value templates read as `it`.
   * @returns The HTML.
   * @throws {TemplateNotFoundError} When no file matches the name.
   * @throws {TypeError} When the name is not confined to the search path.
   * @throws {TemplateSyntaxError} When the template (or an include) does not compile.
   * @throws {TemplateRuntimeError} When the template's code throws; `cause` is the original.
   * An error that carries an HTTP status (`status` and `expose`, as `HttpError`) is thrown as is.
   */
  render(name: string, data?: unknown): Promise<string> {
    return this.#render(name, data, same);
  }

  /**
   * Renders and finishes: a cached template whose code does not await is run and finished
   * synchronously, inside one promise (no async frames, no extra microtask turns).
   */
  #render<T>(name: string, data: unknown, finish: (html: string) => T): Promise<T> {
    const compiled = this.#cache.peek(name);
    if (compiled === undefined) return this.#renderCold(name, data, finish);
    try {
      const out = this.#run(compiled, data);
      if (typeof out === "string") return Promise.resolve(finish(out));
      return this.#settle(compiled, out).then(finish);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #renderCold<T>(name: string, data: unknown, finish: (html: string) => T): Promise<T> {
    const compiled = await this.#cache.get(name);
    const out = this.#run(compiled, data);
    return finish(typeof out === "string" ? out : await this.#settle(compiled, out));
  }

  #run(compiled: CompiledEmbedded, data: unknown): unknown {
    try {
      return onTurn(compiled.isAsync, (turn) => compiled.fn(data, this.#helpers, turn));
    } catch (e) {
      throw hasHttpMeaning(e) ? e : locateRuntimeError(compiled, e);
    }
  }

  /**
   * The page of a template that awaits, or whose code returned early: what it returns, awaited,
   * as text (`null` and `undefined` give an empty page).
   */
  async #settle(compiled: CompiledEmbedded, out: unknown): Promise<string> {
    try {
      const page = await out;
      return typeof page === "string"
        ? page
        : page === null || page === undefined
        ? ""
        : String(page);
    } catch (e) {
      throw hasHttpMeaning(e) ? e : locateRuntimeError(compiled, e);
    }
  }

  /**
   * Renders a template to UTF-8 bytes: what a server sends. The bytes are those of
   * {@linkcode EmbeddedEngine.render}, encoded; a template that does not await gets them
   * without the string: its values are rendered alone and escaped on their encoded bytes
   * (WebAssembly, 16 bytes at a time) between static chunks encoded once.
   *
   * @param name The template name on the search path (extension optional).
   * @param data The value templates read as `it`.
   * @returns The HTML's UTF-8 bytes.
   * @throws {TemplateNotFoundError} When no file matches the name.
   * @throws {TemplateSyntaxError} When the template (or an include) does not compile.
   * @throws {TemplateRuntimeError} When the template's code throws; `cause` is the original.
   * An error that carries an HTTP status (`status` and `expose`, as `HttpError`) is thrown as is.
   */
  renderBytes(name: string, data?: unknown): Promise<Uint8Array<ArrayBuffer>> {
    const compiled = this.#cache.peek(name);
    if (compiled === undefined) {
      return this.#cache.get(name).then((compiled) => this.#bytes(compiled, data));
    }
    try {
      return Promise.resolve(this.#bytes(compiled, data));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #bytes(
    compiled: CompiledEmbedded,
    data: unknown,
  ): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>> {
    if (compiled.bytes !== undefined) return this.#renderBytes(compiled, data);
    const out = this.#run(compiled, data);
    return typeof out === "string" ? encode(out) : this.#settle(compiled, out).then(encode);
  }

  /** Runs the template's bytes form; `HtmlBytes` assembles and escapes the page. */
  #renderBytes(
    compiled: CompiledEmbedded,
    data: unknown,
  ): Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>> {
    // A template that renders another one while it runs: the inner render gets its own log.
    const pieces = this.#pieces ?? new Pieces();
    this.#pieces = undefined;
    try {
      pieces.count = 0;
      let values: unknown;
      try {
        values = onTurn(
          false,
          (turn) => compiled.bytes!.fn(data, this.#bytesHelpers, pieces, turn),
        );
      } catch (e) {
        throw hasHttpMeaning(e) ? e : locateRuntimeError(compiled, e);
      }
      // Code that returns early does not return the page: what it returns is sent, as render().
      if (typeof values !== "string") return this.#settle(compiled, values).then(encode);
      if (pieces.count === 0) return encode(values);
      return (this.#htmlBytes ??= new HtmlBytes()).encode(values, pieces, compiled.bytes!.statics);
    } finally {
      this.#pieces = pieces.next();
    }
  }

  /**
   * Renders a template to a byte stream (UTF-8). The whole page is rendered
   * before the first chunk, so an error fails the stream before any byte.
   *
   * @param name The template name on the search path.
   * @param data The value templates read as `it`.
   * @returns A stream of the HTML's UTF-8 bytes.
   * @throws {never} Errors of {@linkcode EmbeddedEngine.render} error the stream instead.
   */
  renderStream(name: string, data?: unknown): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        controller.enqueue(await this.renderBytes(name, data));
        controller.close();
      },
    });
  }
}

function warnRefused({ attribute, value, where }: RefusedUrl): void {
  console.warn(`pubkit: the URL policy refused ${attribute}=${JSON.stringify(value)} at ${where}`);
}

/**
 * Whether `error` says which HTTP answer it means (an integer `status` 400–599 and a boolean
 * `expose`, as `HttpError` and the members' errors do): such an error passes through unwrapped,
 * so that a 400 from `it.req.form()` or a 503 lock timeout in a template stays what it is, as
 * in the fill engine.
 */
function hasHttpMeaning(error: unknown): boolean {
  try {
    if (!(error instanceof Error)) return false;
    const { status, expose } = error as { status?: unknown; expose?: unknown };
    return typeof status === "number" && Number.isInteger(status) && status >= 400 &&
      status <= 599 && typeof expose === "boolean";
  } catch {
    return false; // its fields throw when read: wrapped like any other error
  }
}

function locateRuntimeError(compiled: CompiledEmbedded, error: unknown): TemplateRuntimeError {
  const stack = error instanceof Error ? String(error.stack) : "";
  const frame = new RegExp(`${escapeRegExp(compiled.sourceUrl)}(?:, <anonymous>)?:(\\d+):\\d+`)
    .exec(stack);
  const at = frame === null ? undefined : compiled.lines[Number(frame[1]) - HEADER_LINES - 1];
  return new TemplateRuntimeError(at?.file ?? compiled.file, at?.line ?? 0, { cause: error });
}
