// The HTML context of each `<%= %>` hole, decided once when a template compiles.
//
// A character-level tokenizer after the HTML standard's (text, tags, attributes, comments,
// RCDATA/raw text) with a JavaScript lexer inside <script> (strings, template literals,
// regular expressions, comments). It reads only the template's static text; what a hole
// writes is escaped for the context, so it cannot move the tokenizer elsewhere.
import { isSpace, JsLexer } from "./_js_context.ts";
import { _isUrlAttributeLower } from "./_url_policy.ts";

/** What a hole writes, by context. */
export type Hole =
  | { kind: "html" }
  | { kind: "url"; attribute: string; tag: string }
  | { kind: "srcset"; attribute: string; tag: string }
  | { kind: "animation"; attribute: string }
  | { kind: "refresh"; prefix: string }
  | { kind: "jsString" }
  | { kind: "jsValue" };

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
  Start,
  AfterHole,
  Ambiguous,
  Fixed,
}

const RAW_TEXT = new Set(["title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript"]);
const ANIMATION = new Set(["animate", "set", "animatemotion", "animatetransform"]);
const ANIMATION_VALUES = new Set(["to", "from", "values", "by"]);
const JSON_TYPES = new Set([
  "application/json",
  "application/ld+json",
  "importmap",
  "speculationrules",
]);
const JS_TYPES =
  /^(?:|module|(?:text|application)\/(?:x-)?(?:java|ecma)script|text\/jscript|text\/livescript)$/;
const RAW_HINT = "; write <%~ %> if the value is safe there (the author's responsibility)";

function isLetter(c: string): boolean {
  const k = c.charCodeAt(0) | 32;
  return k >= 97 && k <= 122;
}

/** Reads a template's static text in order and tells the context of each hole between. */
export class ContextScanner {
  #s = S.Text;
  readonly #js = new JsLexer();
  #scriptKind: "js" | "other" = "js";
  #foreign = false;
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
  #holesInValue = 0;
  /** Static attribute values of the open tag (`null`: it holds a hole). */
  #attrs = new Map<string, string | null>();
  #metaHoles: { hole: Hole; prefix: string }[] = [];
  #index = 0;

  /** Consumes static template text. */
  text(text: string): void {
    for (this.#index = 0; this.#index < text.length; this.#index++) {
      this.#step(text[this.#index]);
      this.#recent = (this.#recent + text[this.#index]).slice(-12);
    }
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
    }
    this.#afterValue();
  }

  #afterValue(): void {
    this.#recent = "";
    if (this.#s === S.Script) this.#js.afterValue();
    if (this.#s === S.BeforeValue) this.#s = S.ValueUnquoted;
    if (this.#s === S.ValueDQ || this.#s === S.ValueSQ || this.#s === S.ValueUnquoted) {
      this.#attrs.set(this.#attr, null);
    }
  }

  #holeHere(): Hole {
    switch (this.#s) {
      case S.Text:
      case S.Comment:
      case S.Bogus:
      case S.RawText:
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
    if (kind === "regex") {
      throw new ContextError(`a value in a JavaScript regular expression${RAW_HINT}`);
    }
    if (kind === "comment") throw new ContextError(`a value in a JavaScript comment${RAW_HINT}`);
    return { kind };
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
      case V.Srcset:
        return { kind: "srcset", attribute, tag };
      case V.Animation:
        return { kind: "animation", attribute };
      case V.MetaContent: {
        const hole: Hole = { kind: "html" };
        this.#metaHoles.push({ hole, prefix: this.#value });
        return hole;
      }
    }
    // A URL: the policy applies where the value can decide the scheme.
    switch (this.#url) {
      case U.Fixed:
        return { kind: "html" };
      case U.Start:
        this.#url = U.AfterHole;
        return { kind: "url", attribute, tag };
      default:
        throw new ContextError(
          `a value inside the scheme of a URL (${attribute}): write the whole URL in one <%= %>`,
        );
    }
  }

  #step(c: string): void {
    switch (this.#s) {
      case S.Text:
        if (c === "<") this.#s = S.TagOpen;
        return;
      case S.TagOpen:
        if (isLetter(c)) {
          this.#s = S.TagName;
          this.#tag = c.toLowerCase();
          this.#attrs = new Map();
          this.#metaHoles = [];
        } else if (c === "/") this.#s = S.EndTagOpen;
        else if (c === "!") this.#s = S.Bang;
        else if (c === "?") this.#s = S.Bogus;
        else {
          this.#s = S.Text;
          this.#step(c);
        }
        return;
      case S.EndTagOpen:
        if (isLetter(c)) {
          this.#s = S.EndTagName;
          this.#endTag = c.toLowerCase();
          this.#endTagDone = false;
        } else this.#s = c === ">" ? S.Text : S.Bogus;
        return;
      case S.EndTagName:
        if (c === ">") {
          if (this.#endTag === "svg" || this.#endTag === "math") this.#foreign = false;
          this.#s = S.Text;
        } else if (isSpace(c) || c === "/") this.#endTagDone = true;
        else if (!this.#endTagDone) this.#endTag += c.toLowerCase();
        return;
      case S.Bang:
        this.#s = c === "-" ? S.BangDash : c === ">" ? S.Text : S.Bogus;
        return;
      case S.BangDash:
        this.#s = c === "-" ? S.Comment : c === ">" ? S.Text : S.Bogus;
        return;
      case S.Comment:
        if (c === ">" && (this.#recent.endsWith("--") || this.#recent.endsWith("--!"))) {
          this.#s = S.Text;
        }
        return;
      case S.Bogus:
        if (c === ">") this.#s = S.Text;
        return;
      case S.TagName:
        if (isSpace(c) || c === "/") this.#s = S.BeforeAttrName;
        else if (c === ">") this.#endOfTag();
        else this.#tag += c.toLowerCase();
        return;
      case S.BeforeAttrName:
      case S.AfterValue:
        if (isSpace(c) || c === "/") this.#s = S.BeforeAttrName;
        else if (c === ">") this.#endOfTag();
        else this.#startAttribute(c);
        return;
      case S.AttrName:
        if (isSpace(c)) this.#s = S.AfterAttrName;
        else if (c === "/") this.#s = S.BeforeAttrName;
        else if (c === "=") this.#startValue();
        else if (c === ">") this.#endOfTag();
        else this.#attr += c.toLowerCase();
        return;
      case S.AfterAttrName:
        if (isSpace(c)) return;
        if (c === "/") this.#s = S.BeforeAttrName;
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
        if (this.#s === S.Script) this.#js.step(c, this.#recent);
    }
  }

  #startAttribute(c: string): void {
    this.#s = S.AttrName;
    this.#attr = c.toLowerCase();
    if (!this.#attrs.has(this.#attr)) this.#attrs.set(this.#attr, "");
  }

  #startValue(): void {
    this.#s = S.BeforeValue;
    this.#value = "";
    this.#url = U.Start;
    this.#holesInValue = 0;
    const name = this.#attr;
    const tag = this.#tag;
    this.#valueKind = V.Html;
    if (name.startsWith("on")) this.#refuse(V.Refused, "an event handler attribute (on...)");
    else if (name === "style") this.#refuse(V.Refused, "a style attribute (CSS)");
    else if (name === "srcdoc") this.#refuse(V.Refused, "srcdoc (HTML in an attribute)");
    else if (tag === "script" && name === "type") this.#refuse(V.Refused, "a <script> type");
    else if (name === "http-equiv") this.#refuse(V.Refused, "http-equiv");
    else if (name === "srcset" || name === "imagesrcset") this.#valueKind = V.Srcset;
    else if (_isUrlAttributeLower(name)) this.#valueKind = V.Url;
    else if (ANIMATION.has(tag) && ANIMATION_VALUES.has(name)) this.#valueKind = V.Animation;
    else if (ANIMATION.has(tag) && name === "attributename") {
      this.#refuse(V.Refused, "an animation's attributeName");
    } else if (tag === "meta" && name === "content") this.#valueKind = V.MetaContent;
  }

  #refuse(kind: V, why: string): void {
    this.#valueKind = kind;
    this.#refusal = why;
  }

  #valueChar(c: string): void {
    this.#value += c;
    if (this.#valueKind !== V.Url) return;
    if (c === "/" || c === "?" || c === "#") this.#url = U.Fixed;
    else if (c === ":") {
      if (this.#url === U.AfterHole) {
        throw new ContextError(
          `a value before the ":" of a URL (${this.#attr}) decides its scheme: write the whole URL in one <%= %>`,
          this.#index,
        );
      }
      this.#url = U.Fixed;
    } else if (this.#url === U.Start && !isSpace(c)) this.#url = U.Ambiguous;
  }

  #endValue(next: S): void {
    if (this.#attrs.get(this.#attr) !== null) this.#attrs.set(this.#attr, this.#value);
    this.#s = next;
  }

  #endOfTag(): void {
    const tag = this.#tag;
    this.#s = S.Text;
    if (this.#metaHoles.length > 0) this.#resolveMeta();
    if (tag === "svg" || tag === "math") this.#foreign = true;
    if (tag === "script") {
      const type = (this.#attrs.get("type") ?? "").trim().toLowerCase();
      this.#scriptKind = JS_TYPES.test(type) || JSON_TYPES.has(type) ? "js" : "other";
      this.#s = S.Script;
      this.#js.reset();
    } else if (this.#foreign) return;
    else if (tag === "style") this.#s = S.Style;
    else if (RAW_TEXT.has(tag)) this.#s = S.RawText;
    this.#rawEnd = tag;
  }

  /** `<meta http-equiv="refresh" content="0;url=<%= u %>">`: the URL policy applies. */
  #resolveMeta(): void {
    if (this.#attrs.get("http-equiv")?.trim().toLowerCase() !== "refresh") return;
    if (this.#metaHoles.length > 1) {
      throw new ContextError("more than one value in a meta refresh: write it in one <%= %>");
    }
    Object.assign(this.#metaHoles[0].hole, { kind: "refresh", prefix: this.#metaHoles[0].prefix });
  }

  /** Whether `c` completes `</name` + terminator for the open raw-text element. */
  #endsRawText(c: string): boolean {
    if (!(isSpace(c) || c === "/" || c === ">")) return false;
    const end = "</" + this.#rawEnd;
    if (this.#recent.slice(-end.length).toLowerCase() !== end) return false;
    this.#s = c === ">" ? S.Text : S.EndTagName;
    this.#endTag = this.#rawEnd;
    this.#endTagDone = true;
    return true;
  }
}
