/**
 * A node of a fill-template instance: what a controller fills.
 *
 * @module
 */

import { FONT_BREAKOUT } from "./_foreign_content.ts";
import { flat, NO_PIECE, type NodeDef, REP, SEP } from "./_fill_compile.ts";
import { ATTRIBUTE_NAME, CONSTRUCT, WRITE_BYTES } from "./_fill_shared.ts";
import {
  _animationAllowed,
  _decodeAttribute,
  _isRefresh,
  _refreshAllowed,
  _urlAllowed,
} from "./_url_policy.ts";
import {
  ANIMATION_TARGET,
  ANIMATION_VALUE,
  attributeKind,
  CONTENT,
  knownAttributeKind,
  PLAIN,
  REFUSED,
  URL_VALUE,
} from "./_attribute_kind.ts";
import { escapeHtml } from "./escape_html.ts";
import type { HtmlBytes, Pieces } from "./_html_bytes.ts";
import { Trusted } from "./trusted.ts";
import { TemplateRuntimeError, UnsafeUrlError } from "./errors.ts";

/**
 * Declarative fill data for {@linkcode FillNode.fill}: each key names a child
 * node. A string or number sets its text, a {@linkcode Trusted} value its
 * HTML, `null`/`false` omits it, an array repeats it (each item is fill data
 * for one repetition) and a plain object fills its own children.
 */
export type FillData = { [name: string]: FillValue };
/** One value in {@linkcode FillData}. */
export type FillValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | Trusted
  | FillData
  | readonly FillData[];

/**
 * One marked node of a template instance (or the instance's root). Fill it
 * in any order; nothing is rendered until `toString()` or `toStream()`.
 *
 * @example Filling nodes by calls and from data
 * ```ts
 * import { type FillData, FillNode, FillTemplate, type FillValue } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const tpl = new FillTemplate(
 *   `<a data-node="con:link" href="/">home</a><ul><li data-node="rep:tag">t</li></ul>`,
 * );
 * const page: FillNode = tpl.instance();
 * page.node("link").attr("href", "/users?id=1&x=2").text("Users");
 * const tags: FillValue = [{}, {}];
 * const data: FillData = { tag: tags };
 * page.fill(data);
 * assert.ok(page instanceof FillNode);
 * assert.equal(page.toString(), `<a href="/users?id=1&amp;x=2">Users</a><ul><li>t</li><li>t</li></ul>`);
 * ```
 */
export class FillNode {
  #def: NodeDef;
  #slots: (FillNode | undefined)[] | undefined;
  // Content and attribute values are kept as set and escaped when the page is written: as a
  // string by escapeHtml, as bytes by WebAssembly (see [WRITE_RAW]), where the regexp test
  // escapeHtml makes on each value cost half of filling a page that needs no escaping.
  #content: string | undefined;
  /** Whether `#content` is markup (html()) rather than text. */
  #markup = false;
  // Pairs of lowercase name and value (`true`: boolean attribute, `false`: removed): lighter
  // than a Map for the usual one or two.
  #attrs: (string | boolean)[] | undefined;
  #omitted = false;
  #items: FillNode[] | undefined;

  /**
   * Instances come from {@linkcode FillTemplate.instance}; not constructed directly.
   *
   * @param def The compiled node.
   * @param key The module-private construction key.
   * @throws {TypeError} When constructed from outside the module.
   */
  constructor(def: unknown, key?: unknown) {
    if (key !== CONSTRUCT) {
      throw new TypeError("Cannot construct FillNode: use FillTemplate.instance()");
    }
    this.#def = def as NodeDef;
  }

  /** The node's name (`""` for the root). */
  get name(): string {
    return this.#def.name;
  }

  /** The names of the marked children `node()` accepts. */
  get childNames(): string[] {
    return [...this.#def.index.keys()];
  }

  /**
   * Returns a marked child (a `con` or `rep` node among this node's marked
   * descendants that no other marked node encloses).
   *
   * @param name The child's name.
   * @returns The child, the same object on every call.
   * @throws {RangeError} When there is no such child.
   */
  node(name: string): FillNode {
    const children = this.#def.children;
    // A few children: comparing names beats hashing one.
    let slot: number | undefined = -1;
    if (children.length <= 8) {
      for (let i = 0; i < children.length; i++) {
        if (children[i].name === name) {
          slot = i;
          break;
        }
      }
    } else slot = this.#def.index.get(name);
    if (slot === undefined || slot === -1) {
      throw new RangeError(
        `Cannot find node "${name}": ${
          this.#def.name === "" ? "the template" : `node "${this.#def.name}"`
        } has ${
          this.#def.index.size === 0 ? "no marked children" : `only ${this.childNames.join(", ")}`
        }`,
      );
    }
    const slots = this.#slots ??= new Array(children.length);
    let child = slots[slot];
    if (child === undefined) child = slots[slot] = new FillNode(children[slot], CONSTRUCT);
    return child;
  }

  /**
   * Replaces the node's content with text, HTML-escaped.
   *
   * @param value The text (`null`/`undefined` → empty; others via `String`).
   * @returns This node.
   * @throws {TypeError} On a `<script>`/`<style>` node (escaping cannot make text safe there) or a void element.
   * @throws {TemplateRuntimeError} When the value's `toString` throws (naming template and node).
   */
  text(value: unknown): this {
    if (this.#def.rawText || this.#def.isVoid) {
      throw new TypeError(
        `Cannot set text of <${this.#def.tag}> node "${this.#def.name}": it takes no text`,
      );
    }
    this.#content = this.#string(value);
    this.#markup = false;
    return this;
  }

  /**
   * Replaces the node's content with raw HTML, unescaped. The caller vouches
   * for the markup.
   *
   * @param markup The HTML (a string or a {@linkcode Trusted}).
   * @returns This node.
   * @throws {TypeError} On a void element.
   * @throws {TemplateRuntimeError} When the value's `toString` throws.
   */
  html(markup: string | Trusted): this {
    if (this.#def.isVoid) {
      throw new TypeError(
        `Cannot set HTML of <${this.#def.tag}> node "${this.#def.name}": it is void`,
      );
    }
    this.#content = this.#string(markup);
    this.#markup = true;
    return this;
  }

  /**
   * Sets, or with `null`/`false` removes, an attribute; `true` writes a
   * boolean attribute. Values are escaped. Unless the value is
   * {@linkcode Trusted}: URL-taking attributes (`href`, `src`, `srcset`,
   * `formaction`, `xlink:href`, …), the `content` of a
   * `<meta http-equiv="refresh">` and the `to`/`from`/`by`/`values` of SVG
   * animation elements refuse `javascript:`, `vbscript:` and non-image
   * `data:` URLs; event handlers (`on…`), `style`, `srcdoc`, `http-equiv`,
   * an animation's `attributeName`, and a script's `src` and `type` refuse any
   * value.
   *
   * @param name The attribute name (`[A-Za-z_:][A-Za-z0-9_.:-]*`).
   * @param value The value.
   * @returns This node.
   * @throws {TypeError} On an invalid name, or a node whose tags are omitted.
   * @throws {UnsafeUrlError} When the policy refuses the value.
   * @throws {TemplateRuntimeError} When the value's `toString` throws.
   */
  attr(name: string, value: string | number | boolean | null | undefined | Trusted): this {
    const def = this.#def;
    let key: string;
    let kind: number;
    // The name a repetition's node was last given: the same on every repetition.
    if (def.attrName === name) {
      key = def.attrKey;
      kind = def.attrKind;
    } else {
      key = name;
      let known = knownAttributeKind(name);
      if (known === undefined) {
        if (typeof name !== "string" || !ATTRIBUTE_NAME.test(name)) {
          throw new TypeError(
            `Cannot set attribute ${JSON.stringify(name)}: not a valid attribute name`,
          );
        }
        key = name.toLowerCase();
        known = attributeKind(key);
      }
      // A script's type decides whether its (static) text runs: a JSON block stays data.
      kind = (key === "type" && def.tag === "script") || changesParsing(def, key) ? REFUSED : known;
      def.attrName = name;
      def.attrKey = key;
      def.attrKind = kind;
    }
    if (def.minus) {
      throw new TypeError(
        `Cannot set attribute ${name} on node "${this.#def.name}": its tags are omitted`,
      );
    }
    let text: string | boolean;
    if (typeof value === "string") {
      if (kind !== PLAIN && !this.#allowed(key, kind, value)) throw new UnsafeUrlError(key, value);
      text = value;
    } else if (value === null || value === undefined || typeof value === "boolean") {
      if (
        (def.tag === "script" && (key === "type" || key === "src")) ||
        (value === true && changesParsing(def, key))
      ) {
        // Removing one (or leaving it empty) makes a data block or an external script's inline
        // text run; a string there is refused by the policy above.
        throw new UnsafeUrlError(key, String(value));
      }
      text = value === true;
    } else if (value instanceof Trusted) {
      // A string now, whatever the object is: no user code runs while the page is written.
      text = this.#string(value.value);
      if (key === "http-equiv" && this.#def.tag === "meta" && _isRefresh(text)) {
        // A refresh made at render time: a content set before it is a URL too, read as the
        // browser reads what is written.
        const content = this.#setValue("content");
        if (typeof content === "string") {
          const written = _decodeAttribute(escapeHtml(content));
          if (!_refreshAllowed(written)) throw new UnsafeUrlError("content", written);
        }
      }
    } else {
      const v = this.#string(value);
      if (kind !== PLAIN && !this.#allowed(key, kind, v)) throw new UnsafeUrlError(key, v);
      text = v;
    }
    const attrs = this.#attrs;
    if (attrs === undefined) {
      this.#attrs = [key, text];
      return this;
    }
    for (let i = 0; i < attrs.length; i += 2) {
      if (attrs[i] === key) {
        attrs[i + 1] = text;
        return this;
      }
    }
    attrs.push(key, text);
    return this;
  }

  /** The attribute policy for an untrusted value (`key` lowercase, `kind` its class). */
  #allowed(key: string, kind: number, value: string): boolean {
    const def = this.#def;
    switch (kind) {
      case URL_VALUE:
        return _urlAllowed(key, value, def.tag);
      case REFUSED:
        return false;
      case ANIMATION_VALUE:
        return !def.animation || _animationAllowed(value);
      case ANIMATION_TARGET:
        return !def.animation;
      case CONTENT:
        return !(def.refresh || this.#refreshSet()) || _refreshAllowed(value);
    }
    return true;
  }

  /** Whether a (trusted) `http-equiv="refresh"` was set on this `<meta>` at render time. */
  #refreshSet(): boolean {
    if (this.#def.tag !== "meta") return false;
    const value = this.#setValue("http-equiv");
    return typeof value === "string" && _isRefresh(escapeHtml(value));
  }

  /** The value set for `key` at render time (`true`/`false`/`undefined` otherwise). */
  #setValue(key: string): string | boolean | undefined {
    const attrs = this.#attrs;
    if (attrs === undefined) return undefined;
    for (let i = 0; i < attrs.length; i += 2) if (attrs[i] === key) return attrs[i + 1];
    return undefined;
  }

  /** `String(value)` (`null`/`undefined` → empty), a throwing `toString` named by template and node. */
  #string(value: unknown): string {
    if (typeof value === "string") return value;
    if (value === null || value === undefined) return "";
    try {
      return String(value);
    } catch (cause) {
      const def = this.#def;
      throw new TemplateRuntimeError(def.file, def.line, { cause, node: def.name });
    }
  }

  /**
   * Leaves the node (and its content) out of the output, or puts it back.
   *
   * @param omitted Whether to omit it (default `true`).
   * @returns This node.
   * @throws {never} Does not throw.
   */
  omit(omitted = true): this {
    this.#omitted = omitted;
    return this;
  }

  /**
   * Repeats a `rep` node once per item, calling `fill` with a fresh instance
   * of the node for each; the `sep` node of the same name goes between
   * repetitions. Replaces any earlier repetition.
   *
   * @param items The items.
   * @param fill Fills one repetition.
   * @returns This node.
   * @throws {TypeError} When the node is not a `rep` node.
   */
  repeat<T>(items: Iterable<T>, fill: (node: FillNode, item: T, index: number) => void): this {
    if (this.#def.kind !== REP) {
      throw new TypeError(`Cannot repeat node "${this.#def.name}": it is not marked rep`);
    }
    let out: FillNode[] = [];
    const def = this.#def;
    if (Array.isArray(items)) {
      out = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const node = out[i] = new FillNode(def, CONSTRUCT);
        fill(node, items[i], i);
      }
    } else {
      let i = 0;
      for (const item of items) {
        const node = new FillNode(def, CONSTRUCT);
        fill(node, item, i++);
        out.push(node);
      }
    }
    this.#items = out;
    return this;
  }

  /**
   * Fills children from plain data (see {@linkcode FillData}).
   *
   * @param data Child name → value.
   * @returns This node.
   * @throws {RangeError} When a key names no child.
   * @throws {TypeError} When a value cannot go where it is put.
   */
  fill(data: FillData): this {
    for (const key of Object.keys(data)) {
      const value = data[key];
      const child = this.node(key);
      if (value === null || value === false) child.omit();
      else if (value === undefined) continue;
      else if (typeof value === "string" || typeof value === "number" || value === true) {
        child.text(value === true ? "" : value);
      } else if (value instanceof Trusted) child.html(value);
      else if (Array.isArray(value)) child.repeat(value, (n, item: FillData) => n.fill(item));
      else child.fill(value as FillData);
    }
    return this;
  }

  /**
   * Renders this node (for the root: the page).
   *
   * @returns The HTML.
   * @throws {never} Does not throw.
   */
  toString(): string {
    return FillNode.#node(this.#def, this, "", undefined, CLOSE);
  }

  /**
   * The UTF-8 bytes of `toString()`, assembled by `bytes` from this node's values and the
   * template's static chunks, logged in `log`.
   *
   * @ignore Internal: for FillEngine.renderBytes().
   */
  [WRITE_BYTES](bytes: HtmlBytes, log: Pieces): Uint8Array<ArrayBuffer> {
    log.count = 0;
    const values = FillNode.#node(this.#def, this, "", log, CLOSE);
    return bytes.encode(values, log, this.#def.statics);
  }

  /**
   * Renders to a stream of UTF-8 bytes, in chunks of about 16 KiB.
   *
   * @returns The stream.
   * @throws {never} Does not throw.
   */
  toStream(): ReadableStream<Uint8Array> {
    return toChunkedStream(() => this.toString());
  }

  // For bytes, rendering appends the values alone to one string and logs every piece of the
  // page (see Pieces): a static piece by its chunk number, a value by where it ends, to escape,
  // or to copy as it is (markup). Without a log it writes the page itself: static pieces as
  // their text, values escaped. No user code runs while a page is written.

  /** Appends a def's output for `node` (omitted, repeated or single); `end`: what follows it. */
  static #node(
    def: NodeDef,
    node: FillNode | undefined,
    out: string,
    log: Pieces | undefined,
    end: End,
  ): string {
    if (node !== undefined) {
      if (node.#omitted) {
        if (end === AFTER) out = put(out, log, def, def.afterPiece);
        return out;
      }
      const items = node.#items;
      if (items !== undefined) {
        // A repetition omitted leaves no trace, its separator included.
        let last = items.length - 1;
        while (last >= 0 && items[last].#omitted) last--;
        if (last < 0) {
          if (end === AFTER) out = put(out, log, def, def.afterPiece);
          return out;
        }
        const sep = def.sep;
        let first = true;
        for (let i = 0; i <= last; i++) {
          const item = items[i];
          if (item.#omitted) continue;
          if (!first && sep !== undefined) out = FillNode.#single(sep, undefined, out, log, CLOSE);
          first = false;
          out = FillNode.#single(def, item, out, log, i === last ? end : CLOSE);
        }
        return out;
      }
    }
    return FillNode.#single(def, node, out, log, end);
  }

  static #single(
    def: NodeDef,
    node: FillNode | undefined,
    out: string,
    log: Pieces | undefined,
    end: End,
  ): string {
    const attrs = node === undefined ? undefined : node.#attrs;
    const content = node === undefined ? undefined : node.#content;
    if (def.isVoid || content !== undefined) {
      if (!def.minus) {
        out = attrs === undefined
          ? put(out, log, def, def.openPiece)
          : openTag(def, attrs, out, log, def.gtPiece, def.quoteGtPiece);
      }
      if (content !== undefined) out = putValue(out, log, content, node!.#markup);
    } else {
      if (attrs === undefined) out = put(out, log, def, def.headPiece);
      else out = openTag(def, attrs, out, log, def.gtFirstPiece, def.quoteGtFirstPiece);
      const kids = def.kids;
      const slots = node === undefined ? undefined : node.#slots;
      for (let i = 0; i < kids.length; i++) {
        const kid = kids[i];
        // A separator is written by its repetition; its own place keeps the text after it.
        if (kid.kind === SEP) out = put(out, log, kid, kid.afterPiece);
        else {
          const child = slots === undefined ? undefined : slots[kid.slot];
          // The usual child, filled once: no call through #node.
          out = child === undefined || (!child.#omitted && child.#items === undefined)
            ? FillNode.#single(kid, child, out, log, AFTER)
            : FillNode.#node(kid, child, out, log, AFTER);
        }
      }
    }
    if (end === AFTER) out = put(out, log, def, def.closeAfterPiece);
    else if (end === CLOSE) out = put(out, log, def, def.closeOwnPiece);
    return out;
  }
}

/**
 * Whether setting `key` on `def`'s element changes how a browser parses what follows it, which
 * the template was compiled and checked without: `<font color|face|size>` leaves SVG or
 * MathML, an `<annotation-xml encoding>` makes its content HTML, and a `<meta>` charset (or a
 * content-type's content) sets the page's encoding.
 */
function changesParsing(def: NodeDef, key: string): boolean {
  if (def.tag === "font") return def.inForeign && FONT_BREAKOUT.has(key);
  // The page's encoding: text is escaped for UTF-8 (see _page_encoding.ts).
  if (def.tag === "meta") return key === "charset" || (key === "content" && def.contentType);
  return def.tag === "annotation-xml" && key === "encoding";
}

/** What follows a def's content: its close, or its close and the static text after it. */
type End = 1 | 2;
const CLOSE = 1;
const AFTER = 2;

/** Appends a static piece of `def`'s template: logged, or without a log its text. */
function put(out: string, log: Pieces | undefined, def: NodeDef, piece: number): string {
  if (piece === NO_PIECE) return out;
  if (log === undefined) return out + def.statics.texts[-1 - piece];
  log.add(piece);
  return out;
}

/** Appends a value: logged to escape (or, `raw`, to copy), or without a log escaped. */
function putValue(out: string, log: Pieces | undefined, value: string, raw: boolean): string {
  if (value === "") return out;
  if (log === undefined) return out + (raw ? value : escapeHtml(value));
  out += value;
  log.add(out.length << 1 | (raw ? 1 : 0));
  return out;
}

/**
 * Appends an open tag with set attributes, up to its `>`: `gt` when it ends with an attribute
 * value's quote, `quoteGt` otherwise.
 */
function openTag(
  def: NodeDef,
  set: (string | boolean)[],
  out: string,
  log: Pieces | undefined,
  gt: number,
  quoteGt: number,
): string {
  if (set.length === 2 && typeof set[1] === "string") {
    // One attribute set, one the template gives too (href on a link): one piece before it.
    const statics = def.staticAttrs;
    for (let i = 0; i < statics.length; i++) {
      if (statics[i].name === set[0]) {
        out = put(out, log, def, statics[i].soloPiece);
        return put(putValue(out, log, set[1], false), log, def, quoteGt);
      }
    }
  }
  let started = false;
  const statics = def.staticAttrs;
  for (let i = 0; i < statics.length; i++) {
    if (hasKey(set, statics[i].name)) continue;
    if (!started) out = put(out, log, def, def.tagOpenPiece);
    started = true;
    out = put(out, log, def, statics[i].textPiece);
  }
  let quoted = false;
  for (let i = 0; i < set.length; i += 2) {
    const value = set[i + 1];
    if (value === false) continue;
    const key = set[i] as string;
    if (quoted) out = put(out, log, def, def.quotePiece);
    const piece = value === true ? NO_PIECE : keyPiece(def, key, started);
    if (piece !== NO_PIECE) out = put(out, log, def, piece);
    else {
      if (!started) out = put(out, log, def, def.tagOpenPiece);
      if (value === true) out = putValue(out, log, " " + key, true);
      else {
        if (def.rawKey !== key) {
          def.rawKey = key;
          def.rawKeyOpen = flat(" ", key, '="');
        }
        out = putValue(out, log, def.rawKeyOpen, true);
      }
    }
    started = true;
    if (value !== true) out = putValue(out, log, value, false);
    quoted = value !== true;
  }
  if (!started) out = put(out, log, def, def.tagOpenPiece);
  out = put(out, log, def, quoted ? quoteGt : gt);
  return out;
}

/**
 * The static piece ` key="` (`<tag key="` when the tag is not `started`) when the template
 * gives the element that attribute.
 */
function keyPiece(def: NodeDef, key: string, started: boolean): number {
  const statics = def.staticAttrs;
  for (let i = 0; i < statics.length; i++) {
    if (statics[i].name === key) return started ? statics[i].keyPiece : statics[i].tagKeyPiece;
  }
  return NO_PIECE;
}

function hasKey(pairs: (string | boolean)[], key: string): boolean {
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === key) return true;
  return false;
}

const CHUNK = 16384;

function toChunkedStream(render: () => string): ReadableStream<Uint8Array> {
  let html: string | undefined;
  let at = 0;
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      html ??= render();
      if (at >= html.length) {
        controller.close();
        return;
      }
      let end = Math.min(at + CHUNK, html.length);
      // Never split a surrogate pair across chunks.
      const c = html.charCodeAt(end - 1);
      if (end < html.length && c >= 0xd800 && c <= 0xdbff) end++;
      controller.enqueue(encoder.encode(html.slice(at, end)));
      at = end;
    },
  });
}
