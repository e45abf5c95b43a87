// SVG and MathML inside HTML ("foreign content"), as far as the context scanner needs it.
//
// There the HTML parser reads the text of <script>, <style>, <title>, <textarea>, … as markup
// with character references, not as raw text, yet an SVG <style> is still CSS and an SVG
// <script> still runs. Which elements are foreign follows the tree builder: <svg>/<math> start
// it, a self-closing tag opens nothing, an HTML "breakout" tag (<p>, <div>, <b>, …) and the end
// tags </p> and </br> leave it, and inside an integration point (<foreignObject>, <desc>,
// <title>, MathML text elements, an HTML annotation-xml) elements are HTML again.
//
// The model keeps only the foreign elements: an end tag closes the innermost open one of its
// name. In foreign content an end tag that closes none may close an HTML ancestor (and leave
// the SVG) or be ignored (and stay in it), depending on HTML elements the model does not keep:
// the scanner refuses the template there, as either guess let a value through.

import { _decodeAttribute } from "./_url_policy.ts";
import { VOID_ELEMENTS } from "./_void_elements.ts";

/** A foreign element: its name, namespace, and whether its children are HTML. */
interface Element {
  tag: string;
  ns: "svg" | "math";
  /** `html`: children are HTML; `text`: all but mglyph/malignmark are; "": none are. */
  integration: "html" | "text" | "";
  /** In an integration point: the HTML elements open in it, innermost last. */
  html: string[];
}

/** A `<font>` with one of these attributes ends foreign content too. */
export const FONT_BREAKOUT: ReadonlySet<string> = new Set(["color", "face", "size"]);

// Start tags that end foreign content (the HTML standard, "parsing main inforeign").
export const BREAKOUT: ReadonlySet<string> = new Set([
  "b",
  "big",
  "blockquote",
  "body",
  "br",
  "center",
  "code",
  "dd",
  "div",
  "dl",
  "dt",
  "em",
  "embed",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "head",
  "hr",
  "i",
  "img",
  "li",
  "listing",
  "menu",
  "meta",
  "nobr",
  "ol",
  "p",
  "pre",
  "ruby",
  "s",
  "small",
  "span",
  "strong",
  "strike",
  "sub",
  "sup",
  "table",
  "tt",
  "u",
  "ul",
  "var",
]);
const SVG_HTML = new Set(["foreignobject", "desc", "title"]);
const MATH_TEXT = new Set(["mi", "mo", "mn", "ms", "mtext"]);

/** The open SVG and MathML elements, updated from start and end tags. */
export class ForeignContent {
  readonly #open: Element[] = [];

  /** Whether a start tag here is read as SVG or MathML (so CDATA sections are too). */
  inForeign(): boolean {
    const top = this.#open[this.#open.length - 1];
    return top !== undefined && top.integration === "";
  }

  /** The open SVG and MathML elements and the HTML ones in their integration points. */
  key(): string {
    return this.#open.map((e) => `${e.ns}:${e.tag}[${e.html.join(",")}]`).join("/");
  }

  /**
   * Whether a start tag here is MathML or HTML depends on which HTML elements the browser still
   * has open: an <mglyph> or <malignmark> in <mi>, <mtext>, … after an HTML element, which may
   * have been closed by rules not kept here (an <input> closes a <select>).
   */
  uncertain(tag: string): boolean {
    const top = this.#open[this.#open.length - 1];
    return top !== undefined && top.integration === "text" && top.html.length > 0 &&
      (tag === "mglyph" || tag === "malignmark");
  }

  /**
   * A start tag: `true` when it is (or stays in) SVG or MathML, where no element switches the
   * tokenizer to raw text; `false` for an HTML element.
   *
   * @param tag Lowercase tag name.
   * @param attrs The tag's attributes (raw values; `null` for a value with a hole).
   * @param selfClosing Whether the tag ended with `/>`.
   */
  startTag(tag: string, attrs: ReadonlyMap<string, string | null>, selfClosing: boolean): boolean {
    let top = this.#open[this.#open.length - 1];
    // <mglyph> and <malignmark> stay MathML only as children of the text element itself: after
    // an HTML element in it (`<mi><span><mglyph>`) they are HTML.
    let foreign = top !== undefined && (top.integration === "" ||
      (top.integration === "text" && top.html.length === 0 &&
        (tag === "mglyph" || tag === "malignmark")));
    if (
      foreign &&
      (BREAKOUT.has(tag) || (tag === "font" && [...FONT_BREAKOUT].some((a) => attrs.has(a))))
    ) {
      this.#leave();
      top = this.#open[this.#open.length - 1];
      foreign = false;
    }
    let ns: Element["ns"];
    if (foreign) ns = tag === "svg" && top!.tag === "annotation-xml" ? "svg" : top!.ns;
    else if (tag === "svg" || tag === "math") ns = tag;
    else {
      // An HTML element in an integration point: until it closes, the point's end tag (and
      // its ancestors') are ignored by the browser (see endTag).
      if (top !== undefined && !VOID_ELEMENTS.has(tag)) top.html.push(tag);
      return false;
    }
    if (!selfClosing) {
      this.#open.push({ tag, ns, integration: integration(tag, ns, attrs), html: [] });
    }
    return true;
  }

  /**
   * An end tag: closes the innermost open foreign element of that name. Returns `false` for
   * one in foreign content that closes none: it closes an HTML ancestor (`<div><svg></div>`
   * leaves the SVG) or is ignored (`<div><svg></span>` stays in it), which depends on HTML
   * elements this model does not keep.
   */
  endTag(tag: string): boolean {
    if (this.inForeign() && (tag === "p" || tag === "br")) {
      this.#leave();
      return true;
    }
    // In an integration point with HTML elements open: only the innermost one's end tag is
    // read for sure (another may be ignored, or close several by rules not kept here).
    const top = this.#open[this.#open.length - 1];
    if (top !== undefined && top.html.length > 0) return this.htmlEndTag(tag);
    for (let i = this.#open.length - 1; i >= 0; i--) {
      if (this.#open[i].tag === tag) {
        // Across an integration point, or out of one with HTML elements open in it, the
        // browser may ignore the end tag (`<foreignObject><div></svg>`,
        // `<foreignObject><span></foreignObject>`): which HTML elements are open is not kept.
        const crossed = this.#open.slice(i);
        if (crossed.some((e, k) => (k > 0 && e.integration !== "") || e.html.length > 0)) {
          return false;
        }
        this.#open.length = i;
        return true;
      }
    }
    // In an integration point, an end tag of no open element: ignored, or not, by rules not
    // kept here.
    return top === undefined;
  }

  /**
   * An HTML end tag (a raw text element's included) in an integration point with HTML
   * elements open: `false` unless it closes the innermost one.
   */
  htmlEndTag(tag: string): boolean {
    const html = this.#open[this.#open.length - 1]?.html;
    if (html === undefined || html.length === 0) return true;
    if (html[html.length - 1] !== tag) return false;
    html.pop();
    return true;
  }

  /** Whether the innermost open element is SVG or MathML, an integration point included. */
  inForeignElement(): boolean {
    return this.#open.length > 0;
  }

  /** The innermost open foreign `style` or `script` (whose text is CSS or script), if any. */
  rawTextOpen(): "style" | "script" | undefined {
    for (let i = this.#open.length - 1; i >= 0; i--) {
      const e = this.#open[i];
      if (e.integration !== "") return undefined;
      if (e.tag === "style" || e.tag === "script") return e.tag;
    }
    return undefined;
  }

  /** Pops foreign elements up to the nearest integration point (or out of foreign content). */
  #leave(): void {
    while (this.#open.length > 0 && this.#open[this.#open.length - 1].integration === "") {
      this.#open.pop();
    }
  }
}

function integration(
  tag: string,
  ns: Element["ns"],
  attrs: ReadonlyMap<string, string | null>,
): Element["integration"] {
  if (ns === "svg") return SVG_HTML.has(tag) ? "html" : "";
  if (MATH_TEXT.has(tag)) return "text";
  if (tag !== "annotation-xml") return "";
  const encoding = _decodeAttribute(attrs.get("encoding") ?? "").toLowerCase();
  return encoding === "text/html" || encoding === "application/xhtml+xml" ? "html" : "";
}
