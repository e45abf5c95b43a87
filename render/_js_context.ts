// The JavaScript lexer inside <script> for the context scanner (_html_context.ts): just enough
// to tell strings, template literals, regular expressions and comments from code.

/** HTML whitespace. */
export function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
}

function isWordChar(c: string): boolean {
  return /[\w$]/.test(c);
}

const enum Js {
  Code,
  Slash,
  DQ,
  SQ,
  Template,
  Regex,
  RegexClass,
  LineComment,
  BlockComment,
}

// After these words a `/` starts a regular expression, not a division.
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "instanceof",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
  "of",
]);

/** Where in a script a hole is: the escaper for it, or why none fits. */
export type JsHole = "jsString" | "jsValue" | "regex" | "comment";

/** Follows a script's static text one character at a time. */
export class JsLexer {
  #js = Js.Code;
  /** Brace depths of the open `${` substitutions in template literals. */
  #braces: number[] = [];
  #escaped = false;
  /** The last significant character and word (decide regex vs division). */
  #last = "";
  #word = "";

  /** Starts a new script. */
  reset(): void {
    this.#js = Js.Code;
    this.#braces = [];
    this.#escaped = false;
    this.#last = "";
    this.#word = "";
  }

  /** What a hole here is. */
  hole(): JsHole {
    switch (this.#js) {
      case Js.DQ:
      case Js.SQ:
      case Js.Template:
        return "jsString";
      case Js.Code:
        return "jsValue";
      case Js.Slash:
        return this.#regexAllowed() ? "regex" : "jsValue";
      case Js.Regex:
      case Js.RegexClass:
        return "regex";
      default:
        return "comment";
    }
  }

  /** After a value written in code, a `/` divides. */
  afterValue(): void {
    if (this.#js !== Js.Code) return;
    this.#last = "0";
    this.#word = "";
  }

  #regexAllowed(): boolean {
    const last = this.#last;
    if (last === "") return true;
    if (REGEX_AFTER_WORD.has(this.#word)) return true;
    return !(isWordChar(last) || last === ")" || last === "]" || last === "}");
  }

  step(c: string, recent: string): void {
    switch (this.#js) {
      case Js.Code: {
        const braces = this.#braces;
        if (c === '"') this.#js = Js.DQ;
        else if (c === "'") this.#js = Js.SQ;
        else if (c === "`") this.#js = Js.Template;
        else if (c === "/") {
          this.#js = Js.Slash;
          return;
        } else if (c === "{" && braces.length > 0) braces[braces.length - 1]++;
        else if (c === "}" && braces.length > 0 && braces[braces.length - 1]-- === 0) {
          braces.pop();
          this.#js = Js.Template;
          return;
        }
        if (isSpace(c)) return;
        this.#word = isWordChar(c) ? (isWordChar(this.#last) ? this.#word + c : c) : "";
        this.#last = c;
        return;
      }
      case Js.Slash:
        if (c === "/") this.#js = Js.LineComment;
        else if (c === "*") this.#js = Js.BlockComment;
        else if (this.#regexAllowed()) {
          this.#js = Js.Regex;
          this.step(c, recent);
        } else {
          this.#js = Js.Code;
          this.#last = "/";
          this.#word = "";
          this.step(c, recent);
        }
        return;
      case Js.DQ:
      case Js.SQ:
      case Js.Template:
      case Js.Regex:
      case Js.RegexClass:
        this.#quoted(c, recent);
        return;
      case Js.LineComment:
        if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") this.#js = Js.Code;
        return;
      case Js.BlockComment:
        if (c === "/" && recent.endsWith("*") && !recent.endsWith("/*")) {
          this.#js = Js.Code;
        }
    }
  }

  #quoted(c: string, recent: string): void {
    if (this.#escaped) {
      this.#escaped = false;
      return;
    }
    if (c === "\\") {
      this.#escaped = true;
      return;
    }
    const js = this.#js;
    if (js === Js.RegexClass) {
      if (c === "]") this.#js = Js.Regex;
      return;
    }
    if (js === Js.Regex && c === "[") this.#js = Js.RegexClass;
    else if (js === Js.Template && c === "{" && recent.endsWith("$")) {
      this.#braces.push(0);
      this.#js = Js.Code;
      this.#last = "{";
      return;
    } else if (c === (js === Js.DQ ? '"' : js === Js.SQ ? "'" : js === Js.Template ? "`" : "/")) {
      this.#js = Js.Code;
      this.#last = "0";
      this.#word = "";
    }
  }
}
