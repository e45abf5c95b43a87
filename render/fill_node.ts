/**
 * A node of a fill-template instance: what a controller fills.
 *
 * @module
 */

import { flat, type NodeDef, REP, SEP } from "./_fill_compile.ts";
import { ATTRIBUTE_NAME, CONSTRUCT, WRITE_RAW } from "./_fill_shared.ts";
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
import type { Pieces } from "./_html_bytes.ts";
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
   * `data:` URLs; event handlers (`on…`), `style`, `srcdoc`, `http-equiv` and
   * an animation's `attributeName` refuse any value.
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
      kind = known;
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
    } else if (value === null || value === undefined || value === false) text = false;
    else if (value === true) text = true;
    else if (value instanceof Trusted) {
      text = value.value;
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
    return FillNode.#node(this.#def, this, "", "", CLOSE, undefined);
  }

  /**
   * The page with its text and attribute values unescaped, each logged in `log` as a range to
   * escape (see {@linkcode Pieces}): what {@linkcode HtmlBytes} turns into the bytes of
   * `toString()`.
   *
   * @ignore Internal: for FillEngine.renderBytes().
   */
  [WRITE_RAW](log: Pieces): string {
    const out = FillNode.#node(this.#def, this, "", "", CLOSE, log);
    log.add(out.length << 1 | 1);
    return out;
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

  // Rendering appends to one string: each static piece (merged at compile time with its
  // neighbours, see NodeDef) and each value is one rope node, and a page is a few hundred.
  // `lead` is static text the caller leaves to the callee, which joins it to the piece it
  // starts with (see `join`); `end` says what follows the def's content. Values are escaped
  // as they are appended, or, with a `log`, appended as they are and logged (appendValue).

  /** Appends a def's output for `node` (omitted, repeated or single). */
  static #node(
    def: NodeDef,
    node: FillNode | undefined,
    out: string,
    lead: string,
    end: End,
    log: Pieces | undefined,
  ): string {
    if (node !== undefined) {
      if (node.#omitted) return out + lead + (end === AFTER ? def.after : "");
      const items = node.#items;
      if (items !== undefined) {
        // A repetition omitted leaves no trace, its separator included.
        let last = items.length - 1;
        while (last >= 0 && items[last].#omitted) last--;
        if (last < 0) return out + lead + (end === AFTER ? def.after : "");
        const sep = def.sep;
        let first = true;
        for (let i = 0; i <= last; i++) {
          const item = items[i];
          if (item.#omitted) continue;
          if (!first) {
            // The previous repetition's close leads into the separator or the next one.
            lead = def.closeOwn;
            if (sep !== undefined) {
              out = FillNode.#single(sep, undefined, out, lead, NOTHING, log);
              lead = sep.closeOwn;
            }
          }
          first = false;
          out = FillNode.#single(def, item, out, lead, i === last ? end : NOTHING, log);
        }
        return out;
      }
    }
    return FillNode.#single(def, node, out, lead, end, log);
  }

  static #single(
    def: NodeDef,
    node: FillNode | undefined,
    out: string,
    lead: string,
    end: End,
    log: Pieces | undefined,
  ): string {
    const attrs = node === undefined ? undefined : node.#attrs;
    const content = node === undefined ? undefined : node.#content;
    if (def.isVoid || content !== undefined) {
      if (def.minus) out += lead;
      else if (attrs === undefined) out += join(def, lead, def.openStatic);
      else out = openTag(def, attrs, out, lead, ">", '">', log);
      if (content !== undefined) {
        out = node!.#markup ? out + content : appendValue(out, content, log);
      }
    } else {
      const kids = def.kids;
      // With no static text before the first child, the open tag leads into it.
      if (attrs !== undefined) {
        out = openTag(def, attrs, out, lead, def.gtFirst, def.quoteGtFirst, log);
      } else if (def.first !== "" || kids.length === 0) out += join(def, lead, def.head);
      else lead = join(def, lead, def.head);
      if (attrs !== undefined || def.first !== "") lead = "";
      const slots = node === undefined ? undefined : node.#slots;
      for (let i = 0; i < kids.length; i++) {
        const kid = kids[i];
        out = kid.kind === SEP ? out + lead + kid.after : FillNode.#node(
          kid,
          slots === undefined ? undefined : slots[kid.slot],
          out,
          lead,
          AFTER,
          log,
        );
        lead = "";
      }
    }
    return end === NOTHING ? out : out + (end === AFTER ? def.closeAfter : def.closeOwn);
  }
}

/** What follows a def's content: nothing (the caller writes its close), its close, or its close and `after`. */
type End = 0 | 1 | 2;
const NOTHING = 0;
const CLOSE = 1;
const AFTER = 2;

/** `out` then a text or attribute value: escaped, or as it is and logged as a range to escape. */
function appendValue(out: string, value: string, log: Pieces | undefined): string {
  if (log === undefined) return out + escapeHtml(value);
  if (value === "") return out;
  log.add(out.length << 1 | 1); // the page up to here, as it is
  log.add((out.length + value.length) << 1); // the value, to escape
  return out + value;
}

/** `lead` then `piece` as one flat string, remembered per def for the last pair. */
function join(def: NodeDef, lead: string, piece: string): string {
  if (lead === "") return piece;
  if (def.joinLead !== lead || def.joinPiece !== piece) {
    def.joinLead = lead;
    def.joinPiece = piece;
    def.joined = flat(lead, piece);
  }
  return def.joined;
}

/** Appends `lead` and an open tag with set attributes, ending with `gt` (or `quoteGt` after a value). */
function openTag(
  def: NodeDef,
  set: (string | boolean)[],
  out: string,
  lead: string,
  gt: string,
  quoteGt: string,
  log: Pieces | undefined,
): string {
  let started = false;
  const statics = def.attrs;
  for (let i = 0; i < statics.length; i++) {
    const [name, text] = statics[i];
    if (hasKey(set, name)) continue;
    if (!started) out += join(def, lead, def.tagOpen);
    started = true;
    out += text;
  }
  let quoted = false;
  for (let i = 0; i < set.length; i += 2) {
    const value = set[i + 1];
    if (value === false) continue;
    const key = set[i] as string;
    if (started) out += `${quoted ? '"' : ""} ${key}${value === true ? "" : '="'}`;
    else if (value === true) out += `${lead}${def.tagOpen} ${key}`;
    // `<li><a href="`: the lead, the tag and the first attribute as one piece.
    else out += join(def, lead, key === def.firstKey ? def.firstOpen : firstOpen(def, key));
    started = true;
    if (value !== true) out = appendValue(out, value, log);
    quoted = value !== true;
  }
  if (!started) out += join(def, lead, def.tagOpen);
  return out + (quoted ? quoteGt : gt);
}

/** `<tag key="`, remembered for the key the def last started with. */
function firstOpen(def: NodeDef, key: string): string {
  def.firstKey = key;
  return def.firstOpen = flat(def.tagOpen, " ", key, '="');
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
