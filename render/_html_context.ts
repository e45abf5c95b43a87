// The HTML context of each `<%= %>` hole, decided once when a template compiles.
//
// A character-level tokenizer after the HTML standard's (text, tags, attributes, comments,
// RCDATA/raw text) with a JavaScript lexer inside <script> (strings, template literals,
// regular expressions, comments). It reads only the template's static text; what a hole
// writes is escaped for the context, so it cannot move the tokenizer elsewhere.
import { _isContentType, _otherEncoding } from "./_page_encoding.ts";
import { isSpace, JsLexer } from "./_js_context.ts";
import { FONT_BREAKOUT, ForeignContent } from "./_foreign_content.ts";
import { _decodeAttribute, _isRefresh, _isUrlAttributeLower } from "./_url_policy.ts";

/** What a hole writes, by context. */
export type Hole =
  | { kind: "html" }
  | { kind: "url"; attribute: string; tag: string }
  | { kind: "srcset"; attribute: string; tag: string }
  | { kind: "animation"; attribute: string }
  | { kind: "refresh"; prefix: string; suffix: string }
  | { kind: "jsString" }
  | { kind: "jsValue" };

/**
 * Where a value lands: text, a bogus comment, a script (in a string or template literal, in
 * code, or, for a parser, in a regular expression or comment), or an attribute value.
 */
export type ValuePlace =
  | { in: "text" | "comment" }
  | { in: "script"; js?: "string" | "code" | "other" | "unreadable" }
  | { in: "attribute"; tag: string; name: string };

/** A template construct that no escaper can make safe; `index` is within the text just read. */
export class ContextError extends Error {
  constructor(reason: string, readonly index = 0) {
    super(reason);
  }
}

const enum S {
  Text,
  TagOpen,
  EndTagOpen,
  EndTagName,
  Bang,
  BangDash,
  Comment,
  Bogus,
  TagName,
  BeforeAttrName,
  AttrName,
  AfterAttrName,
  BeforeValue,
  ValueDQ,
  ValueSQ,
  ValueUnquoted,
  AfterValue,
  /** RCDATA (title, textarea) and raw text (xmp, iframe, noembed, noframes, noscript). */
  RawText,
  Style,
  Script,
  /** `<![CDATA[` … `]]>`, only in SVG and MathML. */
  CData,
}

/** What the value of the attribute being read is. */
const enum V {
  Html,
  Url,
  Srcset,
  Animation,
  MetaContent,
  Refused,
}

/** Where a URL attribute's value is, for a hole: its scheme is open or decided. */
const enum U {
  /** No hole yet: the static text so far may still become a scheme. */
  Start,
  /** A value began the URL: static text after it must not add a ":" to its scheme. */
  AfterHole,
  /** The scheme is decided (a static path, query, fragment or non-script scheme). */
  Fixed,
}

/** Schemes whose URL is code or markup: a value after one is script, not a URL part. */
const SCRIPT_SCHEME = /^(javascript|vbscript|data):/;
/** A character reference that a value written after it could complete (`&`, `&#`, `&#10`). */
const OPEN_REFERENCE = /&(?:#[xX]?[0-9a-fA-F]*|[A-Za-z][A-Za-z0-9]*)?$/;

const RAW_TEXT = new Set(["title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript"]);
const ANIMATION = new Set(["animate", "set", "animatemotion", "animatetransform"]);
const ANIMATION_VALUES = new Set(["to", "from", "values", "by"]);
/** The attributes a script is loaded from (`href`, `xlink:href`: SVG's <script>). */
const SCRIPT_URL = new Set(["src", "href", "xlink:href"]);
// Not "importmap": a value there could map a module to any script.
const JSON_TYPES = new Set(["application/json", "application/ld+json", "speculationrules"]);
export const JS_TYPES =
  /^(?:|module|(?:text|application)\/(?:x-)?(?:java|ecma)script|text\/jscript|text\/livescript)$/;
/** Attributes that decide how a tag or what follows it is read (see ContextScanner.key). */
const DECIDING = ["type", "http-equiv", "encoding", ...FONT_BREAKOUT, "attributename"];
const RAW_HINT = "; write <%~ %> if the value is safe there (the author's responsibility)";
const TABLE_PARTS = new Set([
  "table",
  "caption",
  "colgroup",
  "col",
  "tbody",
  "thead",
  "tfoot",
  "tr",
  "td",
  "th",
]);
/** Static text that a value could finish into an end tag; in a script also `<!--`, `<script`. */
const PARTIAL_END_TAG = /<(?:\/[A-Za-z]*)?$/;
const PARTIAL_SCRIPT_TAG = /<(?:\/?[A-Za-z]*|!-?)$/;

/** Lowercases ASCII only, as the HTML tokenizer does (`\u212A`, the Kelvin sign, stays). */
function asciiLower(c: string): string {
  const k = c.charCodeAt(0);
  return k >= 65 && k <= 90 ? String.fromCharCode(k + 32) : c;
}

function isLetter(c: string): boolean {
  const k = c.charCodeAt(0) | 32;
  return k >= 97 && k <= 122;
}

/** Reads a template's static text in order and tells the context of each hole between. */
export class ContextScanner {
  #s = S.Text;
  #js = new JsLexer();
  #scriptKind: "js" | "other" = "js";
  /** SVG and MathML elements open, as the tree builder would have them. */
  readonly #foreign = new ForeignContent();
  /** A `/` just before `>` makes a start tag self-closing (it matters in SVG and MathML). */
  #slash = false;
  /** The end tag being read closes an HTML raw text element (not one in SVG or MathML). */
  #rawEnded = false;
  /** The attribute being read repeats an earlier one of its tag: the browser drops it. */
  #duplicate = false;
  /** The last characters of the comment being read (its opener's excluded). */
  #comment = "";
  /**
   * The open <table> and <template> elements, outermost first: both put the browser in a
   * table's insertion modes, where table parts close elements up to them, and a <template>
   * hides the tables outside it from `</table>`.
   */
  #tableScopes: ("table" | "template")[] = [];
  /**
   * What a bogus comment opened by `<!` holds so far while it could still be `[CDATA[` (the
   * browser opens a CDATA section only right after `<!`); `undefined` once it cannot.
   */
  #declaration: string | undefined;
  /** Last static characters since the previous hole (end tags, comment ends). */
  #recent = "";
  #tag = "";
  #endTag = "";
  #endTagDone = false;
  /** The element whose end closes the raw text state. */
  #rawEnd = "";
  #attr = "";
  #value = "";
  #valueKind = V.Html;
  #refusal = "";
  #url = U.Start;
  /** Static text of a URL value since its start or its last hole, as written. */
  #urlText = "";
  #holesInValue = 0;
  /** Static attribute values of the open tag (`null`: it holds a hole). */
  #attrs = new Map<string, string | null>();
  #metaHoles: { hole: Hole; prefix: string; suffix: string }[] = [];
  #index = 0;

  /** Consumes static template text. */
  text(text: string): void {
    for (this.#index = 0; this.#index < text.length; this.#index++) {
      this.#step(text[this.#index]);
      this.#recent = (this.#recent + text[this.#index]).slice(-12);
    }
  }

  /**
   * What decides how the scanner reads the rest of the template from this point, as a string:
   * a block of `<% %>` code (a branch, a loop) must end with the key it started with, or what
   * follows is read in a context that holds only when the block runs (or runs once).
   */
  key(): string {
    const s = this.#s;
    const parts: unknown[] = [this.#foreign.key(), this.#tableScopes.length];
    if (
      s === S.BeforeAttrName || s === S.AttrName || s === S.AfterAttrName || s === S.AfterValue
    ) {
      // Between attributes, whole ones added or not (`<input <% if (c) { %>checked<% } %>>`),
      // unless they decide how the tag is read.
      parts.push("tag", this.#tag, ...DECIDING.map((name) => this.#attrs.get(name)));
    } else if (s === S.Script) parts.push(s, this.#scriptKind, this.#js.key());
    else if (s === S.RawText) parts.push(s, this.#rawEnd);
    else if (s === S.Text) parts.push(s);
    else {
      parts.push(s, this.#tag, this.#attr, this.#valueKind, this.#url, this.#urlText);
      parts.push(this.#value, this.#holesInValue > 0, this.#declaration, this.#comment);
    }
    return JSON.stringify(parts);
  }

  /**
   * Where a value written at this point lands, as the scanner reads it (for the check against
   * a browser's tree, _browser_tree.ts); only meaningful where `hole()` allows one.
   */
  place(): ValuePlace {
    switch (this.#s) {
      case S.Bogus:
        return { in: "comment" };
      case S.Script:
        return { in: "script" };
      case S.ValueDQ:
      case S.ValueSQ:
        return { in: "attribute", tag: this.#tag, name: this.#attr };
    }
    return { in: "text" };
  }

  /**
   * The context of an escaped hole at this point, and the state after it.
   *
   * @throws {ContextError} Where no escaper makes a value safe.
   */
  hole(): Hole {
    this.#index = 0;
    const hole = this.#holeHere();
    this.#afterValue();
    return hole;
  }

  /** A raw hole: its output is the author's; the scanner treats it as a value. */
  raw(): void {
    if (this.#s === S.ValueDQ || this.#s === S.ValueSQ) {
      this.#holesInValue++;
      this.#url = U.Fixed;
      this.#urlText = "";
    }
    this.#afterValue();
  }

  #afterValue(): void {
    this.#recent = "";
    if (this.#s === S.Script) this.#js.afterValue();
    if (this.#s === S.BeforeValue) this.#s = S.ValueUnquoted;
    if (
      (this.#s === S.ValueDQ || this.#s === S.ValueSQ || this.#s === S.ValueUnquoted) &&
      !this.#duplicate
    ) {
      this.#attrs.set(this.#attr, null);
    }
  }

  #holeHere(): Hole {
    switch (this.#s) {
      case S.Comment:
        throw new ContextError(
          `a value in an HTML comment, where it could end the comment (-- or --!)${RAW_HINT}`,
        );
      case S.CData:
        throw new ContextError(`a value in a CDATA section, where it could end it (]])${RAW_HINT}`);
      case S.Bogus:
        if (this.#declaration !== undefined) {
          throw new ContextError(`a value that could finish <![CDATA[${RAW_HINT}`);
        }
        if (this.#foreign.inForeignElement()) {
          // Where the scanner takes the comment to end decides the context of all that follows.
          throw new ContextError(
            `a value in a bogus comment (<!…>, <?…>) in <svg> or <math>${RAW_HINT}`,
          );
        }
        return { kind: "html" };
      case S.Text: {
        const raw = this.#foreign.rawTextOpen();
        if (raw === "style") {
          throw new ContextError(`a value in CSS (<style> in <svg> or <math>)${RAW_HINT}`);
        }
        if (raw === "script") {
          throw new ContextError(
            "a value in a <script> in <svg> or <math>, where the HTML parser decodes character " +
              `references and reads tags: move the script out of the <svg>${RAW_HINT}`,
          );
        }
        return { kind: "html" };
      }
      case S.RawText:
        this.#checkPartialTag(PARTIAL_END_TAG, `</${this.#rawEnd}`);
        return { kind: "html" };
      case S.TagOpen:
      case S.EndTagOpen:
      case S.TagName:
      case S.EndTagName:
      case S.Bang:
      case S.BangDash:
        throw new ContextError(`a value in a tag name${RAW_HINT}`);
      case S.BeforeAttrName:
      case S.AttrName:
      case S.AfterAttrName:
      case S.AfterValue:
        throw new ContextError(`a value in an attribute name${RAW_HINT}`);
      case S.BeforeValue:
      case S.ValueUnquoted:
        throw new ContextError(
          `a value in an unquoted attribute value: quote the attribute (${this.#attr}="...")`,
        );
      case S.Style:
        throw new ContextError(`a value in CSS (<style>)${RAW_HINT}`);
      case S.Script:
        return this.#scriptHole();
      default:
        return this.#attributeHole();
    }
  }

  #scriptHole(): Hole {
    if (this.#scriptKind === "other") {
      throw new ContextError(`a value in a <script> of an unknown type${RAW_HINT}`);
    }
    const kind = this.#js.hole();
    // JSON (a value in code) starts with a quote, a digit, a space, a bracket or true, false or
    // null: it finishes none of these; the string escaper lets letters, `-` and `!` through.
    if (kind === "jsString") this.#checkPartialTag(PARTIAL_SCRIPT_TAG, "</script, <!--, <script");
    if (kind === "unknown") throw new ContextError(`${this.#js.unknownReason}${RAW_HINT}`);
    if (kind === "regex") {
      throw new ContextError(`a value in a JavaScript regular expression${RAW_HINT}`);
    }
    if (kind === "comment") throw new ContextError(`a value in a JavaScript comment${RAW_HINT}`);
    return { kind };
  }

  /**
   * A value cannot write `<` (every escaper escapes it), but it can finish what static text
   * just before it starts: `</` and a name ends a raw text element or a script early; `<!--`
   * and `<script` put a script in its escaped states, where it may not end at `</script>`.
   */
  #checkPartialTag(partial: RegExp, tags: string): void {
    const started = partial.exec(this.#recent);
    if (started === null) return;
    throw new ContextError(
      `a value right after "${started[0]}" in <${this.#rawEnd}>: with it the browser could read ` +
        `a tag there (${tags})${RAW_HINT}`,
    );
  }

  #attributeHole(): Hole {
    const attribute = this.#attr;
    const tag = this.#tag;
    this.#holesInValue++;
    switch (this.#valueKind) {
      case V.Html:
        return { kind: "html" };
      case V.Refused:
        throw new ContextError(`a value in ${this.#refusal}${RAW_HINT}`);
      case V.Animation:
        // The policy sees the value alone: static text beside it could complete a scheme.
        if (this.#value !== "" || this.#holesInValue > 1) throw animationPart(attribute);
        return { kind: "animation", attribute };
      case V.MetaContent: {
        const hole: Hole = { kind: "html" };
        if (!this.#duplicate) this.#metaHoles.push({ hole, prefix: this.#value, suffix: "" });
        return hole;
      }
    }
    // A URL (or a srcset candidate): the policy applies where the value can decide the scheme.
    const policy = this.#urlHole();
    this.#urlText = "";
    if (!policy) return { kind: "html" };
    return { kind: this.#valueKind === V.Srcset ? "srcset" : "url", attribute, tag };
  }

  /**
   * Decides, from the static text before a hole in a URL value as the browser reads it
   * (character references decoded), whether the value starts the URL (the policy applies:
   * `true`), follows a decided scheme (HTML escaping is enough: `false`), or could join
   * static text in a scheme (refused).
   *
   * @throws {ContextError} Where the value could form or extend a scheme with static text.
   */
  #urlHole(): boolean {
    const attribute = this.#attr;
    const raw = this.#urlText;
    const open = OPEN_REFERENCE.test(raw);
    let text = urlChars(_decodeAttribute(open ? raw.replace(OPEN_REFERENCE, "") : raw));
    let state = this.#url;
    if (this.#valueKind === V.Srcset) {
      // Each comma may start another candidate URL, whose scheme is open again.
      const comma = text.lastIndexOf(",");
      if (comma !== -1) {
        if (state === U.AfterHole) this.#checkAfterHole(text.slice(0, comma), -1);
        state = U.Start;
        text = text.slice(comma + 1);
      }
    }
    if (state === U.Fixed) return false;
    if (state === U.AfterHole) {
      if (this.#checkAfterHole(text, -1)) {
        this.#url = U.Fixed;
        return false;
      }
      throw new ContextError(
        `a value inside the scheme of a URL (${attribute}): write the whole URL in one <%= %>`,
      );
    }
    // deno-lint-ignore no-control-regex
    text = text.replace(/^[\u0000-\u0020]+/, "");
    if (text === "") {
      if (open) {
        throw new ContextError(
          `a value after an unfinished character reference in a URL (${attribute}) could ` +
            "complete it: write the whole URL in one <%= %>",
        );
      }
      this.#url = U.AfterHole;
      return true;
    }
    const end = firstUrlDelimiter(text, this.#valueKind === V.Srcset);
    if (end === -1) {
      throw new ContextError(
        `a value inside the scheme of a URL (${attribute}): write the whole URL in one <%= %>`,
      );
    }
    const script = text[end] === ":" ? SCRIPT_SCHEME.exec(text.toLowerCase()) : null;
    if (script !== null && !this.#imageData(text)) {
      throw new ContextError(
        `a value in a ${script[1]}: URL (${attribute}) is script or markup, which no escaper ` +
          `makes safe${RAW_HINT}`,
      );
    }
    this.#url = U.Fixed;
    return false;
  }

  /** `data:image/…` on an `<img>` `src`/`srcset`: the policy allows it (an image runs no script). */
  #imageData(text: string): boolean {
    return this.#tag === "img" && (this.#attr === "src" || this.#attr === "srcset") &&
      text.toLowerCase().startsWith("data:image/");
  }

  /**
   * Static text after a value that began a URL: it must not end the value's scheme with ":".
   * `true` when a path, query or fragment (or, in a srcset, the URL's end) comes first.
   *
   * @throws {ContextError} When a ":" comes first.
   */
  #checkAfterHole(text: string, index: number): boolean {
    const end = firstUrlDelimiter(text, this.#valueKind === V.Srcset);
    if (end !== -1 && text[end] === ":") {
      throw new ContextError(
        `a value before the ":" of a URL (${this.#attr}) decides its scheme: write the whole URL in one <%= %>`,
        index === -1 ? this.#index : index,
      );
    }
    return end !== -1;
  }

  #step(c: string): void {
    switch (this.#s) {
      case S.Text:
        if (c === "<") this.#s = S.TagOpen;
        return;
      case S.TagOpen:
        if (isLetter(c)) {
          this.#s = S.TagName;
          this.#tag = asciiLower(c);
          this.#attrs = new Map();
          this.#metaHoles = [];
        } else if (c === "/") this.#s = S.EndTagOpen;
        else if (c === "!") this.#s = S.Bang;
        else if (c === "?") {
          this.#s = S.Bogus;
          this.#declaration = undefined;
        } else {
          this.#s = S.Text;
          this.#step(c);
        }
        return;
      case S.EndTagOpen:
        if (isLetter(c)) {
          this.#s = S.EndTagName;
          this.#endTag = asciiLower(c);
          this.#endTagDone = false;
        } else {
          this.#s = c === ">" ? S.Text : S.Bogus;
          this.#declaration = undefined;
        }
        return;
      case S.EndTagName:
        if (c === ">") {
          const scopes = this.#tableScopes;
          if (this.#endTag === "template" && scopes.includes("template")) {
            scopes.length = scopes.lastIndexOf("template");
          }
          if (this.#endTag === "table" && scopes.at(-1) === "table") scopes.pop();
          if (this.#rawEnded) this.#foreign.htmlEndTag(this.#endTag);
          else if (!this.#foreign.endTag(this.#endTag)) {
            throw new ContextError(
              `</${this.#endTag}> inside <svg> or <math> closes none of their elements, or one ` +
                "outside an integration point (<foreignObject>, <mi>, …) it is in: the browser " +
                "may leave them here or not; close the inner elements first",
              this.#index,
            );
          }
          this.#rawEnded = false;
          this.#s = S.Text;
        } else if (isSpace(c) || c === "/") this.#endTagDone = true;
        else if (!this.#endTagDone) this.#endTag += asciiLower(c);
        else {
          // The tokenizer reads attributes on an end tag, quotes and all: a `>` in one does not
          // end the tag, where this scanner would.
          throw new ContextError(`an attribute on </${this.#endTag}>: remove it`, this.#index);
        }
        return;
      case S.Bang:
        this.#s = c === "-" ? S.BangDash : c === ">" ? S.Text : S.Bogus;
        this.#declaration = c === "[" ? c : undefined;
        return;
      case S.BangDash:
        this.#s = c === "-" ? S.Comment : c === ">" ? S.Text : S.Bogus;
        this.#comment = "";
        this.#declaration = undefined;
        return;
      case S.Comment: {
        // `>` ends it right after `<!--` or `<!---`, or after `--`/`--!` of the comment's own
        // (`<!--!>` does not end, its dashes are the opener's).
        const text = this.#comment;
        if (
          c === ">" && (text === "" || text === "-" || text.endsWith("--") || text.endsWith("--!"))
        ) this.#s = S.Text;
        else this.#comment = (text + c).slice(-3);
        return;
      }
      case S.Bogus:
        if (c === ">") this.#s = S.Text;
        else if (this.#declaration === undefined) return;
        else if (c !== "[" || this.#declaration !== "[CDATA") {
          const next = this.#declaration + c;
          this.#declaration = "[CDATA[".startsWith(next) ? next : undefined;
        } else {
          this.#declaration = undefined;
          if (this.#foreign.inForeign()) this.#s = S.CData;
          else if (this.#foreign.inForeignElement()) {
            // In an integration point (<mi>, <foreignObject>) CDATA is a section or a bogus
            // comment depending on HTML elements the model does not keep.
            throw new ContextError(
              "<![CDATA[ inside an SVG or MathML element whose children are HTML: the browser " +
                "may read a CDATA section or a comment; remove it",
              this.#index,
            );
          }
        }
        return;
      case S.CData:
        if (c === ">" && this.#recent.endsWith("]]")) this.#s = S.Text;
        return;
      case S.TagName:
        if (isSpace(c) || c === "/") this.#beforeAttrName(c);
        else if (c === ">") this.#endOfTag();
        else this.#tag += asciiLower(c);
        return;
      case S.BeforeAttrName:
      case S.AfterValue: {
        const slash = this.#slash;
        this.#slash = false;
        if (isSpace(c) || c === "/") this.#beforeAttrName(c);
        else if (c === ">") this.#endOfTag(slash);
        else this.#startAttribute(c);
        return;
      }
      case S.AttrName:
        if (!(isSpace(c) || c === "/" || c === "=" || c === ">")) {
          this.#attr += asciiLower(c);
          return;
        }
        this.#endAttributeName();
        if (isSpace(c)) this.#s = S.AfterAttrName;
        else if (c === "/") this.#beforeAttrName(c);
        else if (c === "=") this.#startValue();
        else this.#endOfTag();
        return;
      case S.AfterAttrName:
        if (isSpace(c)) return;
        if (c === "/") this.#beforeAttrName(c);
        else if (c === "=") this.#startValue();
        else if (c === ">") this.#endOfTag();
        else this.#startAttribute(c);
        return;
      case S.BeforeValue:
        if (isSpace(c)) return;
        if (c === '"') this.#s = S.ValueDQ;
        else if (c === "'") this.#s = S.ValueSQ;
        else if (c === ">") this.#endOfTag();
        else {
          this.#s = S.ValueUnquoted;
          this.#valueChar(c);
        }
        return;
      case S.ValueDQ:
      case S.ValueSQ:
        if (c === (this.#s === S.ValueDQ ? '"' : "'")) this.#endValue(S.AfterValue);
        else this.#valueChar(c);
        return;
      case S.ValueUnquoted:
        if (isSpace(c)) this.#endValue(S.BeforeAttrName);
        else if (c === ">") {
          this.#endValue(S.BeforeAttrName);
          this.#endOfTag();
        } else this.#valueChar(c);
        return;
      case S.RawText:
      case S.Style:
      case S.Script:
        if (this.#endsRawText(c)) return;
        if (this.#s === S.Script) {
          // `<!--` puts a browser's tokenizer in the script's escaped states, where a later
          // `<script>` makes it skip the next `</script>`: where the script ends is then no
          // longer where this scanner would end it. Values cannot write `<` here (the script
          // escapers escape it), so refusing both in the static text is enough.
          const escape = c === "-" && this.#recent.endsWith("<!-")
            ? "<!--"
            : (this.#recent + c).slice(-7).toLowerCase() === "<script"
            ? "<script"
            : "";
          if (escape !== "") {
            throw new ContextError(
              `${escape} inside a <script>: the browser may then not end the script at ` +
                "</script>; remove it",
              Math.max(0, this.#index - escape.length + 1),
            );
          }
          this.#js.step(c, this.#recent);
        }
    }
  }

  /** `/` here may make the tag self-closing, if `>` follows at once. */
  #beforeAttrName(c: string): void {
    this.#s = S.BeforeAttrName;
    this.#slash = c === "/";
  }

  #startAttribute(c: string): void {
    this.#s = S.AttrName;
    this.#attr = asciiLower(c);
  }

  /** The whole name is read: a repeated attribute is dropped, the first one's value read. */
  #endAttributeName(): void {
    this.#duplicate = this.#attrs.has(this.#attr);
    if (!this.#duplicate) this.#attrs.set(this.#attr, "");
  }

  #startValue(): void {
    this.#s = S.BeforeValue;
    this.#value = "";
    this.#url = U.Start;
    this.#urlText = "";
    this.#holesInValue = 0;
    const name = this.#attr;
    const tag = this.#tag;
    this.#valueKind = V.Html;
    if (name.startsWith("on")) this.#refuse(V.Refused, "an event handler attribute (on...)");
    else if (name === "style") this.#refuse(V.Refused, "a style attribute (CSS)");
    else if (name === "srcdoc") this.#refuse(V.Refused, "srcdoc (HTML in an attribute)");
    else if (tag === "script" && name === "type") this.#refuse(V.Refused, "a <script> type");
    // The URL policy refuses script schemes, not sites: a value there could load any script.
    else if (tag === "script" && SCRIPT_URL.has(name)) {
      this.#refuse(V.Refused, `a <script> ${name}`);
    } else if (tag === "base" && name === "href") this.#refuse(V.Refused, "a <base> href");
    // Whether its children are HTML (raw text elements and all) depends on the encoding.
    else if (tag === "annotation-xml" && name === "encoding") {
      this.#refuse(V.Refused, "an annotation-xml encoding");
    } else if (name === "http-equiv") this.#refuse(V.Refused, "http-equiv");
    else if (name === "srcset" || name === "imagesrcset") this.#valueKind = V.Srcset;
    else if (_isUrlAttributeLower(name)) this.#valueKind = V.Url;
    else if (ANIMATION.has(tag) && ANIMATION_VALUES.has(name)) this.#valueKind = V.Animation;
    else if (ANIMATION.has(tag) && name === "attributename") {
      this.#refuse(V.Refused, "an animation's attributeName");
    } else if (tag === "meta" && name === "charset") {
      this.#refuse(V.Refused, "a <meta> charset (the page's encoding)");
    } else if (tag === "meta" && name === "content") this.#valueKind = V.MetaContent;
  }

  #refuse(kind: V, why: string): void {
    this.#valueKind = kind;
    this.#refusal = why;
  }

  #valueChar(c: string): void {
    this.#value += c;
    if (this.#valueKind === V.Animation && this.#holesInValue > 0) {
      throw animationPart(this.#attr, this.#index);
    }
    if (this.#valueKind !== V.Url && this.#valueKind !== V.Srcset) return;
    // Decisions wait for a hole or the value's end; only a ":" after a value fails at once,
    // located where its (decoded) text completes.
    this.#urlText += c;
    if (this.#url === U.AfterHole) {
      const text = urlChars(_decodeAttribute(this.#urlText.replace(OPEN_REFERENCE, "")));
      const comma = this.#valueKind === V.Srcset ? text.indexOf(",") : -1;
      this.#checkAfterHole(comma === -1 ? text : text.slice(0, comma), this.#index);
    }
  }

  #endValue(next: S): void {
    if (this.#url === U.AfterHole) {
      const text = urlChars(_decodeAttribute(this.#urlText));
      const comma = this.#valueKind === V.Srcset ? text.indexOf(",") : -1;
      this.#checkAfterHole(comma === -1 ? text : text.slice(0, comma), this.#index);
    }
    if (this.#valueKind === V.MetaContent && !this.#duplicate && this.#metaHoles.length > 0) {
      const last = this.#metaHoles[this.#metaHoles.length - 1];
      last.suffix = this.#value.slice(last.prefix.length);
    }
    if (!this.#duplicate && this.#attrs.get(this.#attr) !== null) {
      this.#attrs.set(this.#attr, this.#value);
    }
    this.#s = next;
  }

  #endOfTag(selfClosing = false): void {
    const tag = this.#tag;
    this.#s = S.Text;
    if (this.#metaHoles.length > 0) this.#resolveMeta();
    const encoding = tag === "meta" ? _otherEncoding(this.#attrs) : undefined;
    if (encoding !== undefined) {
      throw new ContextError(
        `${encoding}: values are escaped for a page in UTF-8 (as the server sends it)`,
        this.#index,
      );
    }
    // In SVG and MathML, <script>, <style>, <title>, … are elements like others: their text
    // is read as markup with character references (see _foreign_content.ts).
    if (this.#foreign.uncertain(tag)) {
      throw new ContextError(
        `<${tag}> after an HTML element in a MathML text element (<mi>, <mtext>, …): the ` +
          "browser reads it as MathML or HTML depending on which HTML elements are still open",
        this.#index,
      );
    }
    if (this.#foreign.startTag(tag, this.#attrs, selfClosing)) return;
    const scopes = this.#tableScopes;
    if (TABLE_PARTS.has(tag) && scopes.length > 0 && this.#foreign.inForeignElement()) {
      // In a table's insertion modes these close up to the table or template, SVG and all,
      // where the scanner would stay in the SVG or MathML element.
      throw new ContextError(
        `<${tag}> in <svg> or <math> inside a <table> or <template>`,
        this.#index,
      );
    }
    if (tag === "table" || tag === "template") scopes.push(tag);
    if ((tag === "col" || tag === "colgroup") && scopes.includes("template")) {
      // In a template's column group the browser drops the start tags after it (<xmp> opens
      // no raw text there).
      throw new ContextError(
        `<${tag}> in a <template>: the browser drops tags after it`,
        this.#index,
      );
    }
    if (tag === "frameset") {
      // After it the browser ignores most start tags (<textarea> opens no RCDATA there).
      throw new ContextError(
        "<frameset>: the browser reads the tags after it otherwise",
        this.#index,
      );
    }
    if (tag === "script") {
      // As the browser reads it: decoded, without surrounding ASCII whitespace, any case.
      const type = _decodeAttribute(this.#attrs.get("type") ?? "")
        .replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase();
      this.#scriptKind = JS_TYPES.test(type) || JSON_TYPES.has(type) ? "js" : "other";
      this.#s = S.Script;
      this.#js = new JsLexer();
    } else if (tag === "style") this.#s = S.Style;
    else if (RAW_TEXT.has(tag)) this.#s = S.RawText;
    this.#rawEnd = tag;
  }

  /** `<meta http-equiv="refresh" content="0;url=<%= u %>">`: the URL policy applies. */
  #resolveMeta(): void {
    if (_isContentType(this.#attrs.get("http-equiv"))) {
      throw new ContextError("a value in a content-type <meta>'s content (the page's encoding)");
    }
    if (!_isRefresh(this.#attrs.get("http-equiv") ?? "")) return;
    if (this.#metaHoles.length > 1) {
      throw new ContextError("more than one value in a meta refresh: write it in one <%= %>");
    }
    const { hole, prefix, suffix } = this.#metaHoles[0];
    Object.assign(hole, { kind: "refresh", prefix, suffix });
  }

  /** Whether `c` completes `</name` + terminator for the open raw-text element. */
  #endsRawText(c: string): boolean {
    if (!(isSpace(c) || c === "/" || c === ">")) return false;
    const end = "</" + this.#rawEnd;
    if (this.#recent.slice(-end.length).toLowerCase() !== end) return false;
    this.#s = c === ">" ? S.Text : S.EndTagName;
    // An HTML raw text element ends; SVG and MathML elements stay as they are.
    this.#rawEnded = c !== ">";
    if (c === ">") this.#foreign.htmlEndTag(this.#rawEnd);
    this.#endTag = this.#rawEnd;
    this.#endTagDone = true;
    return true;
  }
}

/** A value with static text or another value beside it in an animation's URL attribute. */
function animationPart(attribute: string, index = 0): ContextError {
  return new ContextError(
    `a value beside static text in an animation's ${attribute} (it may animate a URL): ` +
      "write the whole value in one <%= %>",
    index,
  );
}

/** URL text as the URL parser reads it: tabs and newlines anywhere are dropped. */
function urlChars(text: string): string {
  return text.replace(/[\t\n\r]/g, "");
}

/** Index of the first `:`, `/`, `?` or `#` (in a srcset also whitespace, which ends a URL). */
function firstUrlDelimiter(text: string, srcset: boolean): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ":" || c === "/" || c === "?" || c === "#") return i;
    if (srcset && (c === " " || c === "\f")) return i;
  }
  return -1;
}
