// Both engines' reading of a template checked against a browser's: the page parsed by parse5,
// which follows the HTML standard's tokenizer and tree builder. The engines read templates with
// models of their own (the embedded engine's context scanner, the fill engine's htmlparser2
// events and textual checks); each attack round found a shape where a model and a browser
// disagreed (implied end tags, foreign content, raw text), and what was filled in landed in a
// script, an attribute or SVG. Where parse5 puts a value or a marked element elsewhere than the
// model, the template is refused.
//
// Inside a script the embedded engine's lexer decides whether a value is in a string or in
// code; acorn, a JavaScript parser that reads by the grammar (a line break that ends `var a`
// makes the `/` after it a regular expression), checks that decision where the script parses.
import { parse } from "parse5";
import { type Options, parse as parseScript, type Token, tokenizer } from "acorn";
import { JS_TYPES, type ValuePlace } from "./_html_context.ts";
import { VOID_ELEMENTS } from "./_void_elements.ts";

const HTML = "http://www.w3.org/1999/xhtml";
/**
 * Elements whose content a browser reads as inert text: what a `-con:` node in one holds
 * (escaped) stays text.
 */
const INERT_TEXT = new Set([
  "noscript",
  "xmp",
  "iframe",
  "noembed",
  "noframes",
  "plaintext",
  "textarea",
  "title",
]);

interface Location {
  startOffset: number;
  endOffset: number;
}
interface ParsedNode {
  nodeName: string;
  tagName?: string;
  namespaceURI?: string;
  /** A text node's text; a comment's is `data`. */
  value?: string;
  data?: string;
  attrs?: { name: string; value: string; prefix?: string }[];
  childNodes?: ParsedNode[];
  /** A <template>'s content. */
  content?: ParsedNode;
  sourceCodeLocation?:
    | Location & { startTag?: Location; endTag?: Location }
    | null;
}

/**
 * The page parsed as a current browser does. parse5 reads a <select>'s content by the old
 * rules, which drop most tags in it (<math>, <span>, <img>); browsers now build them as in a
 * body. Renamed to an element of no special rules (same length: offsets stay), a select's
 * content parses as there.
 */
function parsePage(page: string): ParsedNode {
  return parse(page.replace(/<(\/?)select(?=[\t\n\f\r />])/gi, "<$1xelect"), {
    sourceCodeLocationInfo: true,
  });
}

/** Visits every node of a parsed page, template contents included, with its parent element. */
function visit(
  node: ParsedNode,
  each: (node: ParsedNode, parent: ParsedNode, inCode: boolean) => void,
  inCode = false,
): void {
  for (const child of node.childNodes ?? []) {
    each(child, node, inCode);
    if (child.tagName === undefined) continue;
    const code = inCode || child.nodeName === "script" || child.nodeName === "style";
    visit(child, each, code);
    if (child.content !== undefined) visit(child.content, each, code);
  }
}

/** Why a browser reads the template otherwise, and where (an offset into what was checked). */
export interface TreeDisagreement {
  reason: string;
  offset: number;
}

/** A marked element as the fill compiler read it: its start and (explicit) end tag. */
export interface MarkedElement {
  offset: number;
  tag: string;
  /** Where its end tag starts; `undefined` for a void element. */
  close: number | undefined;
  /** Its tags are left out of the page (`-con:`, `-rep:`): only its content is written. */
  minus: boolean;
}

/** What a span of the page is to a browser. */
type SpanKind = "text" | "inert" | "code" | "comment" | "tag" | "codeEnd";
interface Span {
  start: number;
  end: number;
  kind: SpanKind;
}

/**
 * The first marked element of a fill template a browser reads otherwise than the compiler,
 * on the page as written (del elements and the tags of `-` nodes left out): as text, a comment
 * or part of another tag; inside a script or style; or closed elsewhere than at its end tag.
 * For a `-` node, what it holds must land where text does. A start tag the browser drops (a
 * `<tr>` outside a table) is no disagreement: what is filled into it is text wherever it lands.
 * One inside inert text (`<noscript>`) is.
 *
 * @param source The template.
 * @param marks The marked elements, del elements excluded.
 * @param removed Source ranges `[start, end)` the page leaves out: del elements and the tags
 *   of `-` nodes.
 */
export function markedElementDisagreement(
  source: string,
  marks: readonly MarkedElement[],
  removed: readonly (readonly [number, number])[],
): TreeDisagreement | undefined {
  const cuts = removed.toSorted((a, b) => a[0] - b[0]);
  let page = "";
  let from = 0;
  for (const [start, end] of cuts) {
    page += source.slice(from, start);
    from = end;
  }
  page += source.slice(from);
  const onPage = (offset: number) => {
    let shift = 0;
    for (const [start, end] of cuts) if (end <= offset) shift += end - start;
    return offset - shift;
  };
  const elements = new Map<number, { tag: string; endTag: number | undefined; inCode: boolean }>();
  const spans: Span[] = [];
  /** Elements that need an end tag: where they start, and where their end tag starts. */
  const opened: { tag: string; start: number; end: number | undefined }[] = [];
  /** Each element's content, from after its start tag to its end (tag), and its depth. */
  const contents: { start: number; end: number; depth: number; id: number }[] = [];
  const depths = new Map<ParsedNode, number>();
  visit(parsePage(page), (node, parent, inCode) => {
    const location = node.sourceCodeLocation;
    const depth = (depths.get(parent) ?? 0) + 1;
    depths.set(node, depth);
    if (!location) return;
    const span = (at: Location, kind: SpanKind) =>
      spans.push({ start: at.startOffset, end: at.endOffset, kind });
    if (node.tagName === undefined) {
      const inert = parent.namespaceURI === HTML && INERT_TEXT.has(parent.nodeName);
      const kind = node.nodeName === "#comment" ? "comment" : node.nodeName !== "#text"
        ? "tag" // a doctype
        : inCode
        ? "code"
        : inert
        ? "inert"
        : "text";
      span(location, kind);
      return;
    }
    const tag = node.tagName.toLowerCase();
    elements.set(location.startOffset, { tag, endTag: location.endTag?.startOffset, inCode });
    const selfClosed = page.slice(0, location.startTag?.endOffset).endsWith("/>");
    if (!VOID_ELEMENTS.has(tag) && !selfClosed) {
      opened.push({ tag, start: location.startOffset, end: location.endTag?.startOffset });
    }
    contents.push({
      start: location.startTag?.endOffset ?? location.startOffset,
      end: location.endTag?.startOffset ?? location.endOffset,
      depth,
      id: location.startOffset,
    });
    if (location.startTag) span(location.startTag, "tag");
    if (location.endTag) {
      span(location.endTag, tag === "script" || tag === "style" ? "codeEnd" : "tag");
    }
  });
  const find = spanAt(spans);
  /** The innermost element open at an offset (its start), -1 for none with a location. */
  const openAt = (offset: number) => {
    let found = { depth: 0, id: -1 };
    for (const c of contents) {
      if (c.start <= offset && offset <= c.end && c.depth > found.depth) found = c;
    }
    return found.id;
  };
  for (const mark of marks) {
    const start = onPage(mark.offset);
    // What a `-` node holds must close what it opens: repeated, or left out, the next copy or
    // what follows is read in the element its content leaves open (outside tester,
    // thirty-third round: a repetition's end left the browser in <svg>, the next one's
    // <script> an SVG script).
    if (mark.minus && mark.close !== undefined && openAt(start) !== openAt(onPage(mark.close))) {
      return {
        reason: "a browser ends what this node holds in another element than it starts in: " +
          "close in it what it opens",
        offset: mark.offset,
      };
    }
    // And every element it opens must end, by its own end tag, inside it: one left open (a
    // <b> the browser rebuilds after </div>) is there once per repetition (outside tester,
    // thirty-fifth round: two <b> made two </b> close two <svg>, and a <script/> after them
    // was an HTML script).
    const close = mark.close === undefined ? undefined : onPage(mark.close);
    const left = close === undefined
      ? undefined
      : opened.find((e) =>
        e.start > start && e.start < close && !(e.end !== undefined && e.end < close)
      );
    if (left !== undefined) {
      return {
        reason: `a browser leaves the <${left.tag}> in this node open past its end: close it in ` +
          "the node",
        offset: mark.offset,
      };
    }
    const problem = mark.minus
      ? contentProblem(find(start), start)
      : elementProblem(mark, elements.get(start), find, start, onPage(mark.close ?? start));
    if (problem !== undefined) {
      return { reason: `a browser ${problem}`, offset: mark.offset };
    }
  }
  return undefined;
}

/** Where a marked element's start tag is not what the compiler read: the problem, if any. */
function elementProblem(
  mark: MarkedElement,
  element: { tag: string; endTag: number | undefined; inCode: boolean } | undefined,
  find: (offset: number) => Span | undefined,
  start: number,
  end: number,
): string | undefined {
  if (element === undefined || element.tag !== mark.tag.toLowerCase()) {
    // Dropped (no token there): what it holds is text wherever it lands. Text of an inert
    // element is no refuge: a separator in it is written elsewhere, as markup (outside
    // tester, thirty-first round).
    if (find(start) === undefined) return undefined;
    return `does not read this <${mark.tag}> as an element (it takes it for text, a comment ` +
      "or part of another tag)";
  }
  if (element.inCode) return `reads this <${mark.tag}> inside a <script> or <style>`;
  if (mark.close !== undefined && element.endTag !== end) {
    return `ends this <${mark.tag}> elsewhere than at its end tag`;
  }
  return undefined;
}

/** Where a `-` node's content lands (at `at`, its tags left out): the problem, if any. */
function contentProblem(span: Span | undefined, at: number): string | undefined {
  if (span === undefined || span.kind === "text" || span.kind === "inert") return undefined;
  // A tag or comment that starts here is the content's own; text before a script's end tag,
  // or in one, is code.
  if (span.kind === "code" || (span.kind === "codeEnd" && span.start === at)) {
    return "reads what this node's content holds as part of a <script> or <style> once its " +
      "tags are left out";
  }
  if (span.start === at) return undefined;
  return "reads what this node holds inside a tag or comment once its tags are left out";
}

/**
 * The span at an offset (start inclusive). Spans may overlap (text a table moved before it
 * merges across the table's tags); then one of those that hold the offset.
 */
function spanAt(spans: Span[]): (offset: number) => Span | undefined {
  spans.sort((a, b) => a.start - b.start);
  // The furthest end among the spans that start at or before each one.
  const reach: number[] = [];
  for (const span of spans) reach.push(Math.max(reach.at(-1) ?? 0, span.end));
  return (offset) => {
    let low = 0;
    let high = spans.length - 1;
    let last = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (spans[mid].start <= offset) {
        last = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (last === -1 || reach[last] <= offset) return undefined;
    while (spans[last].end <= offset) last--;
    return spans[last];
  };
}

/**
 * Builds the page the embedded engine's scanner read, each escaped value as a probe, and tells
 * where a browser puts each probe.
 */
export class ValueProbes {
  #page = "";
  #places: ValuePlace[] = [];
  readonly #prefix: string;

  /** @param source The template's source, which the probes must not occur in. */
  constructor(source: string) {
    // Letters, as a value may be: a value that starts an attribute name reads as one. No
    // character reference starts with "zq".
    let nonce = 0;
    while (source.includes(`zq${nonce}`)) nonce++;
    this.#prefix = `zq${nonce}v`;
  }

  /** Static text, as written. */
  text(text: string): void {
    this.#page += text;
  }

  /** An escaped value where the scanner reads `place`; returns its number. */
  value(place: ValuePlace): number {
    const probe = `${this.#prefix}${this.#places.length}q`;
    // Where the lexer reads a string, the probe is also an operand between two strings, as an
    // attacker's value would be: the script parses whether it is in a string or in code.
    this.#page += place.in === "script" && place.js === "string" ? `+${probe}+` : probe;
    this.#places.push(place);
    return this.#places.length - 1;
  }

  /**
   * The first value a browser puts elsewhere than the scanner read it, by number: in a tag
   * or attribute name, another attribute, a script or style, a comment, or text instead of
   * an attribute. A value the browser drops (its tag ignored) is no disagreement.
   */
  disagreement(): { value: number; reason: string } | undefined {
    const found = new Map<number, ValuePlace | { in: "code" | "name" }>();
    const probe = new RegExp(`${this.#prefix}(\\d+)q`, "g");
    const note = (text: string, place: ValuePlace | { in: "code" | "name" }) => {
      for (const match of text.matchAll(probe)) found.set(Number(match[1]), place);
    };
    visit(parsePage(this.#page), (node, parent, inCode) => {
      if (node.nodeName === "#text") {
        const script = parent.nodeName === "script" && parent.namespaceURI === HTML;
        if (!script) note(node.value!, inCode ? { in: "code" } : { in: "text" });
        else {
          const readings = readScript(node.value!, probe, scriptType(parent));
          for (const match of node.value!.matchAll(probe)) {
            found.set(Number(match[1]), { in: "script", js: readings.get(match.index) });
          }
        }
      } else if (node.nodeName === "#comment") note(node.data!, { in: "comment" });
      else if (node.tagName !== undefined) {
        note(node.tagName, { in: "name" });
        const tag = node.tagName.toLowerCase();
        for (const { name, value, prefix } of node.attrs!) {
          note(name, { in: "name" });
          const full = (prefix ? `${prefix}:${name}` : name).toLowerCase();
          note(value, { in: "attribute", tag, name: full });
        }
      }
    });
    for (let i = 0; i < this.#places.length; i++) {
      const read = this.#places[i];
      const browser = found.get(i);
      if (browser === undefined || samePlace(read, browser)) continue;
      return {
        value: i,
        reason: `a browser reads this value ${describe(browser)}, the scanner ${describe(read)}`,
      };
    }
    return undefined;
  }
}

/** A script's type as a browser reads it (`undefined`: not JavaScript). */
function scriptType(script: ParsedNode): "script" | "module" | undefined {
  const type = script.attrs!.find((a) => a.name === "type" && !a.prefix)?.value ?? "";
  const normal = type.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
  if (!JS_TYPES.test(normal)) return undefined;
  return normal === "module" ? "module" : "script";
}

type ScriptReading = NonNullable<Extract<ValuePlace, { in: "script" }>["js"]>;

/**
 * For each probe in a script (by offset): whether acorn reads it in a string or template
 * literal, as a name in code, or elsewhere (a regular expression, a comment, part of another
 * token); `unreadable` for all when acorn can read the script neither way. Empty when the
 * script is not JavaScript (a data block): the lexer's reading stands alone there.
 */
function readScript(
  code: string,
  probe: RegExp,
  type: "script" | "module" | undefined,
): Map<number, ScriptReading> {
  const readings = new Map<number, ScriptReading>();
  if (type === undefined) return readings;
  const options: Options = {
    ecmaVersion: "latest",
    sourceType: type,
    allowHashBang: true,
    allowReturnOutsideFunction: true,
  };
  let tokens: Token[] = [];
  try {
    parseScript(code, { ...options, onToken: tokens });
  } catch {
    // Static text between `<% %>` blocks need not parse (`let x` in two branches): then its
    // tokens alone, read by acorn's own rules for `/`, a second opinion beside the lexer's.
    try {
      tokens = [...tokenizer(code, options)];
    } catch {
      // Unchecked, the lexer's reading could be wrong unseen (a probe glued to a number, a
      // script whose `/` acorn's rules misread): refused.
      for (const match of code.matchAll(probe)) readings.set(match.index, "unreadable");
      return readings;
    }
  }
  let next = 0;
  for (const match of code.matchAll(probe)) {
    const at = match.index;
    while (next < tokens.length && tokens[next].end <= at) next++;
    const token = tokens[next];
    const label = token !== undefined && token.start <= at ? token.type.label : "";
    const whole = label === "name" && token.start === at && token.end === at + match[0].length;
    readings.set(
      at,
      label === "string" || label === "template" ? "string" : whole ? "code" : "other",
    );
  }
  return readings;
}

function samePlace(a: ValuePlace, b: ValuePlace | { in: "code" | "name" }): boolean {
  if (a.in !== b.in) return false;
  if (a.in === "script" && b.in === "script") {
    // Where the script does not parse, the lexer's reading stands.
    return b.js === undefined || a.js === b.js;
  }
  if (a.in !== "attribute" || b.in !== "attribute") return true;
  return a.tag === b.tag && a.name === b.name;
}

function describe(place: ValuePlace | { in: "code" | "name" }): string {
  switch (place.in) {
    case "attribute":
      return `in the ${place.name} attribute of <${place.tag}>`;
    case "name":
      return "in a tag or attribute name";
    case "code":
      return "in a <style>, or in a <script> of SVG or MathML";
    case "script":
      return place.js === undefined
        ? "in a <script>"
        : `in a <script>, ${
          place.js === "string"
            ? "in a string"
            : place.js === "code"
            ? "in code"
            : place.js === "unreadable"
            ? "which a JavaScript parser (acorn) cannot read with a probe for each value"
            : "in a regular expression, a comment or another token"
        }`;
    case "comment":
      return "in a comment";
    case "text":
      return "as text";
  }
}
