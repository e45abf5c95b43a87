// Compiles a fill template: HTML source → static strings plus marked slots.
import { Parser } from "htmlparser2";
import { _isRefresh } from "./_url_policy.ts";
import { _isContentType, _otherEncoding } from "./_page_encoding.ts";
import { SourceLines } from "./_source_location.ts";
import { TemplateSyntaxError } from "./errors.ts";
import { StaticChunks } from "./_html_bytes.ts";
import { BREAKOUT, FONT_BREAKOUT } from "./_foreign_content.ts";
import { VOID_ELEMENTS } from "./_void_elements.ts";
import { type MarkedElement, markedElementDisagreement } from "./_browser_tree.ts";

/** What a marker says to do with its element. */
export const CON = 0;
export const REP = 1;
export const SEP = 2;

/** A marked element, or the template root (kind CON, minus). */
export interface NodeDef {
  kind: number;
  name: string;
  /** Omit the element's own tags (the `-` modifier, and the root). */
  minus: boolean;
  tag: string;
  /** The open tag with static attributes, marker removed. */
  openStatic: string;
  /** Static attributes: lowercase name → serialized ` name="value"`. */
  attrs: [string, string][];
  close: string;
  isVoid: boolean;
  /** script/style: escaping cannot make text safe there. */
  rawText: boolean;
  /** Static strings and child defs, in document order (seps included, rendered by their rep). */
  parts: (string | NodeDef)[];
  /*
   * What rendering reads, from `link()`. A page is written as its values alone, one string,
   * and a log of pieces (see Pieces): each static string below is a chunk of the template's
   * `statics`, logged by number (`NO_PIECE` when it is empty) and copied by WebAssembly, so
   * only values are concatenated.
   */
  /** The child defs in order (seps included). */
  kids: NodeDef[];
  /** The template's static chunks, shared by all its defs. */
  statics: StaticChunks;
  /** The open tag with static attributes (`openStatic`). */
  openPiece: number;
  /** The open tag with static attributes, then the static text before the first child. */
  headPiece: number;
  /** `<tag`, the open tag before attributes. */
  tagOpenPiece: number;
  /** `>`; `>` then the static text before the first child. */
  gtPiece: number;
  gtFirstPiece: number;
  /** `">` and `">` then the static text before the first child: after an attribute value. */
  quoteGtPiece: number;
  quoteGtFirstPiece: number;
  /** `"`, closing an attribute value followed by another attribute. */
  quotePiece: number;
  /**
   * Static attributes: lowercase name, ` name="value"`, ` name="`, and `<tag name="` for when
   * the name's value is the first thing in the open tag.
   */
  staticAttrs: {
    name: string;
    textPiece: number;
    keyPiece: number;
    tagKeyPiece: number;
    /** `<tag`, the other static attributes, then ` name="`: the open tag when only it is set. */
    soloPiece: number;
  }[];
  /** The static text after this def in its parent, up to the next child or the parent's end. */
  afterPiece: number;
  /** `close`, or nothing when the element's tags are omitted; then `after`. */
  closeOwnPiece: number;
  closeAfterPiece: number;
  /** The last attribute name written that has no static piece, and ` name="` for it. */
  rawKey: string;
  rawKeyOpen: string;
  /**
   * The name last passed to `attr()` on this def (nothing before the first), its lowercase key
   * and its policy class: a repetition's nodes set the same names.
   */
  attrName: unknown;
  attrKey: string;
  attrKind: number;
  /** Child name → slot index for `node(name)`. */
  index: Map<string, number>;
  /** Child con/rep defs by slot. */
  children: NodeDef[];
  /** This def's slot in its parent. */
  slot: number;
  /** For a rep: the separator def with the same name, if any. */
  sep: NodeDef | undefined;
  /** Source offset of the element's open tag (for error locations). */
  offset: number;
  /** A `<meta http-equiv="refresh">`: its `content` carries a URL. */
  refresh: boolean;
  /** A `<meta http-equiv="content-type">`: its `content` sets the page's encoding. */
  contentType: boolean;
  /** Where the content of the element it sits in starts (-1: none): a sep's must be its rep's. */
  within: number;
  /** An SVG animation element: `to`/`from`/`by`/`values` may animate a URL attribute. */
  animation: boolean;
  /**
   * Directly in SVG or MathML (not in an integration point): an attribute set here may make
   * the browser leave it (`<font color>`).
   */
  inForeign: boolean;
  /** The template file and the 1-based line of the open tag (for runtime errors). */
  file: string;
  line: number;
}

const RAW_TEXT = new Set(["script", "style"]);
const RCDATA = new Set(["title", "textarea"]);
const ODD_MARKUP =
  /<!\[CDATA\[|<\/[A-Za-z][^\t\n\f\r />]*[\t\n\f\r /]+[^\t\n\f\r />]|<[A-Za-z][^<>]*\/[\t\n\f\r ]+>/;
const FOREIGN = new Set(["svg", "math"]);
/** An end tag as a browser ends raw text with it (`</scriptx>` is not one). */
const END_TAG: Record<string, RegExp> = {
  script: /<\/script[\t\n\f\r />]/g,
  style: /<\/style[\t\n\f\r />]/g,
};
/** SVG and MathML elements whose children are HTML. */
const SVG_INTEGRATION_POINTS = new Set(["foreignobject", "desc", "title"]);
const MATH_INTEGRATION_POINTS = new Set(["mi", "mo", "mn", "ms", "mtext", "annotation-xml"]);
const INTEGRATION_POINTS = new Set([...SVG_INTEGRATION_POINTS, ...MATH_INTEGRATION_POINTS]);
/** Text that starts a tag a following value or static text could complete. */
const PARTIAL_TAG = /<[!/?]?[A-Za-z0-9:-]*$/;
/** Elements whose content a browser reads as text to their first end tag; the parser does not. */
const BROWSER_RAW_TEXT = new Set(["noscript", "xmp", "iframe", "noembed", "noframes"]);
const ANIMATION = new Set(["animate", "set", "animatemotion", "animatetransform"]);
/** No name passed to `attr()` equals it. */
const NO_ATTRIBUTE = Symbol("no attribute");
/** A static piece that is empty: nothing to log. */
export const NO_PIECE = 0;
const NO_STATICS = new StaticChunks([]);
const MARK = /^(-?)(con|rep|sep|del):([A-Za-z_][A-Za-z0-9_-]*)$/;
const DEL = /^-?del$/;

function newDef(
  kind: number,
  name: string,
  minus: boolean,
  tag: string,
  offset: number,
): NodeDef {
  return {
    kind,
    // Internalized, as the literal a controller passes to node() is: equal names then compare
    // as one pointer, not character by character.
    name: Object.keys({ [name]: 0 })[0],
    minus,
    tag,
    openStatic: "",
    attrs: [],
    close: "",
    isVoid: VOID_ELEMENTS.has(tag),
    rawText: RAW_TEXT.has(tag),
    parts: [],
    kids: [],
    statics: NO_STATICS,
    openPiece: NO_PIECE,
    headPiece: NO_PIECE,
    tagOpenPiece: NO_PIECE,
    gtPiece: NO_PIECE,
    gtFirstPiece: NO_PIECE,
    quoteGtPiece: NO_PIECE,
    quoteGtFirstPiece: NO_PIECE,
    quotePiece: NO_PIECE,
    staticAttrs: [],
    afterPiece: NO_PIECE,
    closeOwnPiece: NO_PIECE,
    closeAfterPiece: NO_PIECE,
    rawKey: "",
    rawKeyOpen: "",
    attrName: NO_ATTRIBUTE,
    attrKey: "",
    attrKind: 0,
    index: new Map(),
    children: [],
    slot: -1,
    sep: undefined,
    offset,
    refresh: false,
    contentType: false,
    within: -1,
    animation: ANIMATION.has(tag),
    inForeign: false,
    file: "",
    line: 0,
  };
}

interface Open {
  tag: string;
  /** The marked def this element opened, if any. */
  def: NodeDef | undefined;
  /** Where the element's content starts in the source. */
  contentStart: number;
  /** The innermost SVG, MathML or integration-point element it is in (itself included). */
  foreign: string | undefined;
  /** The element as marked (del included), for the check against a browser's tree. */
  mark: MarkedElement | undefined;
}

const MARKER_FORMS = "expected [-]con:name, [-]rep:name, [-]sep:name or del[:name]";

/**
 * One compile of a fill template: the parser's events, each its own method, building the
 * tree of marked nodes and the static strings between them.
 */
class FillCompiler {
  readonly root: NodeDef;
  readonly #source: string;
  readonly #file: string;
  readonly #marker: string;
  readonly #lines: SourceLines;
  readonly #parser: Parser;
  readonly #containers: NodeDef[] = [];
  readonly #open: Open[] = [];
  /** Offset of the first source character not yet copied into a part. */
  #cursor = 0;
  /** The source in lowercase, made when first needed. */
  #lowerSource: string | undefined;
  /** Depth inside a del element (0 outside). */
  #deleting = 0;
  #attrs: [string, string, string | null | undefined][] = [];
  /** Names seen per container: "con"/"rep" share a namespace, "sep" pairs with "rep". */
  readonly #names = new Map<NodeDef, Map<string, NodeDef>>();
  readonly #seps = new Map<NodeDef, NodeDef[]>();
  /**
   * The marked elements but del ones, and the source ranges the page leaves out: del elements
   * and the tags of `-` nodes.
   */
  readonly #marks: MarkedElement[] = [];
  readonly #leftOut: [number, number][] = [];

  constructor(source: string, file: string, marker: string) {
    this.#source = source;
    this.#file = file;
    this.#marker = marker;
    this.#lines = new SourceLines(source);
    this.root = newDef(CON, "", true, "", 0);
    this.root.file = file;
    this.#containers.push(this.root);
    this.#parser = new Parser({
      onattribute: (name, value, quote) => this.#attrs.push([name, value, quote]),
      onopentag: (tag) => this.#openTag(tag),
      onclosetag: (tag, implied) => this.#closeTag(tag, implied),
    }, { decodeEntities: false, lowerCaseTags: true, lowerCaseAttributeNames: true });
  }

  /** Parses the whole source and returns the root def. */
  compile(): NodeDef {
    // Where the parser and a browser read these differently: the parser ends a CDATA section
    // in HTML at `]]>` (a browser, a bogus comment, at `>`), an end tag at its first `>` (a
    // browser reads attributes on it, a `>` in quotes included), and closes `<svg / >` at once
    // (in a browser only `/>` does).
    const odd = ODD_MARKUP.exec(this.#source);
    if (odd !== null) {
      const [text] = odd;
      this.#fail(
        text.startsWith("<!")
          ? "<![CDATA[ in HTML: remove it"
          : text.startsWith("</")
          ? "an attribute on an end tag: remove it"
          : `a "/" then a space before ">": write "/>" or nothing`,
        odd.index,
      );
    }
    this.#parser.end(this.#source);
    const disagreement = markedElementDisagreement(this.#source, this.#marks, this.#leftOut);
    if (disagreement !== undefined) this.#fail(disagreement.reason, disagreement.offset);
    this.root.parts.push(this.#source.slice(this.#cursor));
    this.#pairSeparators();
    compact(this.root);
    link(this.root);
    return this.root;
  }

  #fail(reason: string, offset: number): never {
    throw new TemplateSyntaxError(reason, this.#source, {
      file: this.#file,
      ...this.#lines.at(offset),
    });
  }

  /** Copies the static source up to `offset` into the current container; resumes at `resume`. */
  #cut(into: NodeDef, offset: number, resume: number): void {
    const part = this.#source.slice(this.#cursor, offset);
    // The page may write a value right after this text: the next node's, or, with a node's
    // tags left out, omitted or repeated, another's (`<i data-node="-con:a"><</i>` then a
    // node's text `img onerror=…`). It would complete the tag the text starts.
    if (PARTIAL_TAG.test(part)) {
      this.#fail(
        `static text ending in "<": what a node writes right after "<" would be read as a tag ` +
          "(write &lt;)",
        offset,
      );
    }
    into.parts.push(part);
    this.#cursor = resume;
  }

  #openTag(tag: string): void {
    const start = this.#parser.startIndex;
    const written = this.#source.slice(start + 1, start + 1 + tag.length).toLowerCase();
    if (
      this.#attrs.length > 0 && written !== tag.toLowerCase() &&
      !(tag === "img" && written === "ima")
    ) {
      // The parser ignores a <form> inside a form but hands its attributes, marker included,
      // to the next element it opens (a <p> it makes up for `</p>`).
      this.#fail(
        "attributes of a tag the parser ignores (a <form> inside a form): remove it",
        start,
      );
    }
    const inForeign = this.#open.at(-1)?.foreign;
    const inForeignElement = inForeign !== undefined && FOREIGN.has(inForeign);
    if (
      inForeignElement &&
      (BREAKOUT.has(tag) || (tag === "font" && this.#attrs.some(([n]) => FONT_BREAKOUT.has(n))))
    ) {
      // A browser leaves the SVG or MathML here; the parser does not.
      this.#fail(
        `<${tag}> inside <${inForeign}>: a browser leaves it here; close it first`,
        start,
      );
    }
    // In a frameset the browser ignores most start tags (a <textarea> opens no RCDATA).
    if (tag === "frameset") {
      this.#fail("<frameset>: the browser reads the tags after it otherwise", start);
    }
    const end = this.#parser.endIndex;
    const attrs = this.#attrs;
    this.#attrs = [];
    const encoding = tag === "meta"
      ? _otherEncoding(new Map(attrs.map(([name, value]) => [name, value])))
      : undefined;
    if (encoding !== undefined) {
      this.#fail(
        `${encoding}: text is escaped for a page in UTF-8 (as the server sends it)`,
        start,
      );
    }
    const mark = this.#deleting > 0 ? undefined : attrs.find(([n]) => n === this.#marker);
    if (this.#deleting > 0) this.#deleting++;
    if (mark === undefined) {
      this.#push(tag, undefined, end + 1, undefined);
      return;
    }
    const marked: MarkedElement = { offset: start, tag, close: undefined, minus: false };
    const value = mark[1].trim();
    const code = this.#open.find((o) => RAW_TEXT.has(o.tag))?.tag ?? this.#codeAround(start);
    if (code !== undefined && !DEL.test(value) && !/^-?del:/.test(value)) {
      // Inside <svg>, or after a tag that leaves it for the browser (`<svg><p>`), the parser
      // reads elements there; what is filled in would be script or CSS.
      this.#fail(`a marked node inside <${code}>: what it holds would be code`, start);
    }
    if (DEL.test(value) || /^-?del:/.test(value)) {
      if (!DEL.test(value) && !MARK.test(value)) {
        this.#fail(`bad marker ${this.#marker}="${value}"`, start);
      }
      this.#cut(this.#current, start, end + 1);
      this.#push(tag, undefined, end + 1, marked);
      this.#deleting = 1;
      return;
    }
    const m = MARK.exec(value);
    if (m === null) this.#fail(`bad marker ${this.#marker}="${value}": ${MARKER_FORMS}`, start);
    const kind = m[2] === "con" ? CON : m[2] === "rep" ? REP : SEP;
    const def = newDef(kind, m[3], m[1] === "-", tag, start);
    def.inForeign = inForeignElement;
    def.within = this.#open.at(-1)?.contentStart ?? -1;
    def.file = this.#file;
    def.line = this.#lines.at(start).line;
    this.#staticAttributes(def, attrs);
    if (def.isVoid && def.minus) {
      this.#fail(`<${tag}> is a void element: it has no content to keep`, start);
    }
    this.#register(def);
    this.#cut(this.#current, start, end + 1);
    this.#current.parts.push(def);
    this.#marks.push(marked);
    if (def.minus) {
      marked.minus = true;
      this.#leftOut.push([start, end + 1]);
    }
    this.#push(tag, def, end + 1, marked);
    this.#containers.push(def);
  }

  /** Records a marked element's static attributes (marker removed) and its open tag. */
  #staticAttributes(def: NodeDef, attrs: [string, string, string | null | undefined][]): void {
    let openTag = `<${def.tag}`;
    for (const [n, v, q] of attrs) {
      if (n === this.#marker) continue;
      const text = q === undefined && v === "" ? ` ${n}` : ` ${n}="${v.replaceAll('"', "&quot;")}"`;
      def.attrs.push([n.toLowerCase(), text]);
      // The browser decodes character references before it reads the value (`&#82;efresh`).
      if (n === "http-equiv" && _isRefresh(v)) def.refresh = true;
      if (n === "http-equiv" && _isContentType(v)) def.contentType = true;
      openTag += text;
    }
    def.openStatic = openTag + ">";
  }

  /** Gives a def its slot in the current container, refusing a duplicate name. */
  #register(def: NodeDef): void {
    const current = this.#current;
    let seen = this.#names.get(current);
    if (seen === undefined) this.#names.set(current, seen = new Map());
    const key = def.kind === SEP ? `sep:${def.name}` : def.name;
    const prior = seen.get(key);
    if (prior !== undefined) {
      const { line, column } = this.#lines.at(prior.offset);
      this.#fail(
        `duplicate node name "${def.name}" (first at line ${line}, column ${column})`,
        def.offset,
      );
    }
    seen.set(key, def);
    if (def.kind === SEP) {
      const list = this.#seps.get(current) ?? [];
      list.push(def);
      this.#seps.set(current, list);
    } else {
      def.slot = current.index.size;
      current.index.set(def.name, def.slot);
      current.children.push(def);
    }
  }

  #push(
    tag: string,
    def: NodeDef | undefined,
    contentStart: number,
    mark: MarkedElement | undefined,
  ): void {
    // The parser keeps SVG's camel case (`foreignObject`).
    // An integration point only in its own namespace: an <mi> in <svg> is an SVG element.
    const parent = this.#open.at(-1)?.foreign;
    const lower = tag.toLowerCase();
    const point = (parent === "svg" && SVG_INTEGRATION_POINTS.has(lower)) ||
      (parent === "math" && MATH_INTEGRATION_POINTS.has(lower));
    const foreign = FOREIGN.has(tag) || point ? tag : parent;
    this.#open.push({ tag, def, contentStart, foreign, mark });
  }

  #closeTag(tag: string, implied: boolean): void {
    const start = this.#parser.startIndex;
    const end = this.#parser.endIndex;
    const top = this.#open.pop();
    if (top === undefined) return;
    const explicit = !implied || VOID_ELEMENTS.has(tag);
    if (top.mark !== undefined && !implied) {
      top.mark.close = start;
      if (top.mark.minus) this.#leftOut.push([start, end + 1]);
    }
    if (tag === "script") this.#checkScript(top.contentStart, start);
    if (BROWSER_RAW_TEXT.has(tag)) {
      // The browser reads it to its first `</tag`, whatever end tag closed it for the parser.
      if (implied) this.#fail(`<${tag}> closed without </${tag}>: close it first`, start);
      this.#checkRawTextEnd(tag, top.contentStart, start);
    }
    // `</form>`, `</body>` or `</span>` past an <li> end an <svg> for the parser, not always
    // for a browser, which then reads a <script> after it as SVG (markup, references decoded).
    // Self-closed (`<svg/>`), it ends where it starts.
    if (implied && FOREIGN.has(tag) && start >= top.contentStart) {
      this.#fail(`<${tag}> closed without </${tag}>: close it first`, start);
    }
    if (RAW_TEXT.has(tag) || RCDATA.has(tag) || BROWSER_RAW_TEXT.has(tag)) {
      this.#checkForeignRawText(tag, top.contentStart, start);
    }
    if (this.#deleting > 0) {
      if (--this.#deleting > 0) return;
      if (!explicit) this.#fail(`<${tag}> marked del needs an explicit closing tag`, start);
      this.#leftOut.push([top.mark!.offset, end + 1]);
      this.#cursor = end + 1;
      return;
    }
    if (
      implied && INTEGRATION_POINTS.has(tag.toLowerCase()) &&
      this.#open.some((o) => FOREIGN.has(o.tag))
    ) {
      // `</svg>` in `<svg><desc><div>`: the parser closes the <desc> and the <svg>, a browser
      // ignores the end tag and stays in SVG.
      this.#fail(`<${tag}> in <svg> or <math> closed by an end tag the browser may ignore`, start);
    }
    const def = top.def;
    if (def === undefined) return;
    this.#containers.pop();
    if (def.isVoid) return;
    if (implied) this.#fail(`marked <${tag}> needs an explicit closing tag </${tag}>`, def.offset);
    this.#cut(def, start, end + 1);
    def.close = this.#source.slice(start, end + 1);
  }

  /**
   * Refuses `<!--` and `<script` in a script's text: they put a browser's tokenizer in the
   * script's escaped states, where it may skip the `</script>` that ended the script here,
   * and text filled after it would run as code.
   */
  #checkScript(from: number, to: number): void {
    const found = /<!--|<script/i.exec(this.#source.slice(from, to));
    if (found !== null) {
      this.#fail(
        `${
          found[0].toLowerCase()
        } inside a <script>: the browser may then not end the script at </script>; remove it`,
        from + found.index,
      );
    }
  }

  /**
   * `script` or `style` when `offset` lies between `<script` and the first `</script` after
   * it (or the same for `style`) in the source: where a browser reading it as HTML takes
   * everything for code, whatever the parser's idea of the namespace and of implied end tags.
   */
  #codeAround(offset: number): string | undefined {
    const source = this.#lowerSource ??= this.#source.toLowerCase();
    for (const tag of RAW_TEXT) {
      const open = offset === 0 ? -1 : source.lastIndexOf(`<${tag}`, offset - 1);
      if (open === -1) continue;
      END_TAG[tag].lastIndex = open;
      const close = END_TAG[tag].exec(source)?.index ?? -1;
      if (close === -1 || close > offset) return tag;
    }
    return undefined;
  }

  /**
   * Refuses markup inside a raw text element in SVG or MathML: there a browser reads it as
   * elements (or as text, in an integration point) where the parser may not.
   */
  #checkForeignRawText(tag: string, from: number, to: number): void {
    if (!this.#open.some((o) => FOREIGN.has(o.tag))) return;
    const markup = /<[A-Za-z/!?]/.exec(this.#source.slice(from, to));
    if (markup !== null) {
      this.#fail(
        `markup inside <${tag}> in <svg> or <math>: the browser may read it otherwise; remove it`,
        from + markup.index,
      );
    }
  }

  /**
   * Refuses a raw text element (to a browser, not to the parser) that the browser ends before
   * the parser does: at a `</noscript` inside what the parser reads as an attribute value, say,
   * after which the browser reads markup the parser took for text.
   */
  #checkRawTextEnd(tag: string, from: number, end: number): void {
    const first = this.#source.slice(from, end).toLowerCase().indexOf(`</${tag}`);
    if (first !== -1) {
      this.#fail(
        `the browser ends <${tag}> here, before its end tag: remove this text`,
        from + first,
      );
    }
  }

  get #current(): NodeDef {
    return this.#containers[this.#containers.length - 1];
  }

  /** Pairs each separator with its repeat, in the same container. */
  #pairSeparators(): void {
    for (const [container, list] of this.#seps) {
      for (const sep of list) {
        const slot = container.index.get(sep.name);
        const rep = slot === undefined ? undefined : container.children[slot];
        if (rep === undefined || rep.kind !== REP) {
          this.#fail(`sep:${sep.name} has no rep:${sep.name} beside it`, sep.offset);
        }
        if (rep.within !== sep.within) {
          // It is written between the repetitions, where the browser reads its markup, not
          // where it stands (in a <noscript>, say: outside tester, thirty-first round).
          this.#fail(`sep:${sep.name} must be in the same element as rep:${sep.name}`, sep.offset);
        }
        rep.sep = sep;
      }
    }
  }
}

/**
 * Parses a fill template.
 *
 * @param source The HTML.
 * @param file The name used in error locations.
 * @param marker The marker attribute name (lowercase).
 */
export function compileFill(source: string, file: string, marker: string): NodeDef {
  return new FillCompiler(source, file, marker).compile();
}

/**
 * Joins strings into one flat string (`+` would make a rope, whose pieces every render's
 * output would walk again).
 */
export function flat(...pieces: string[]): string {
  return pieces.join("");
}

/** Merges adjacent strings and drops empty ones, so rendering touches fewer parts. */
function compact(def: NodeDef): void {
  const parts: (string | NodeDef)[] = [];
  let run: string[] = [];
  const end = () => {
    if (run.length > 0) parts.push(flat(...run));
    run = [];
  };
  for (const p of def.parts) {
    if (typeof p === "string") {
      if (p !== "") run.push(p);
    } else {
      end();
      compact(p);
      parts.push(p);
    }
  }
  end();
  def.parts = parts;
}

/** Fills in what rendering reads (see NodeDef): the child lists and the static pieces. */
function link(root: NodeDef): void {
  const texts: string[] = [];
  const numbers = new Map<string, number>();
  const piece = (text: string): number => {
    if (text === "") return NO_PIECE;
    let n = numbers.get(text);
    if (n === undefined) {
      n = texts.length;
      texts.push(text);
      numbers.set(text, n);
    }
    return -1 - n;
  };
  const defs: NodeDef[] = [];
  const visit = (def: NodeDef, after: string) => {
    defs.push(def);
    const parts = def.parts;
    const first = typeof parts[0] === "string" ? parts[0] : "";
    def.openPiece = piece(def.openStatic);
    def.headPiece = piece(def.minus ? first : flat(def.openStatic, first));
    def.tagOpenPiece = piece(`<${def.tag}`);
    def.gtPiece = piece(">");
    def.gtFirstPiece = piece(flat(">", first));
    def.quoteGtPiece = piece('">');
    def.quoteGtFirstPiece = piece(flat('">', first));
    def.quotePiece = piece('"');
    def.staticAttrs = def.attrs.map(([name, text]) => ({
      name,
      textPiece: piece(text),
      keyPiece: piece(flat(" ", name, '="')),
      tagKeyPiece: piece(flat("<", def.tag, " ", name, '="')),
      soloPiece: piece(
        flat(
          "<",
          def.tag,
          ...def.attrs.filter(([o]) => o !== name).map(([, t]) => t),
          " ",
          name,
          '="',
        ),
      ),
    }));
    const closeOwn = def.minus ? "" : def.close;
    def.afterPiece = piece(after);
    def.closeOwnPiece = piece(closeOwn);
    def.closeAfterPiece = piece(flat(closeOwn, after));
    def.kids = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (typeof p === "string") continue;
      const next = parts[i + 1];
      def.kids.push(p);
      visit(p, typeof next === "string" ? next : "");
    }
  };
  visit(root, "");
  const statics = new StaticChunks(texts);
  for (const def of defs) def.statics = statics;
}
