// The JavaScript lexer inside <script> for the context scanner (_html_context.ts): just enough
// to tell strings, template literals, regular expressions and comments from code.

/** HTML whitespace. */
export function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
}

/** JavaScript whitespace (more than HTML's: NBSP, BOM, vertical tab, Unicode spaces). */
function isJsSpace(c: string): boolean {
  return /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(c);
}

/**
 * A character of an identifier (any script's letters: `π / 2` divides). The scanner steps by
 * UTF-16 unit: either half of a surrogate pair counts (`𝑥 / 2`).
 */
function isWordChar(c: string): boolean {
  // Any other non-ASCII character but a space: in code it can only be part of a name (or a
  // syntax error), and a browser's Unicode tables may be newer than this runtime's.
  return /[\w$]/.test(c) || (c.charCodeAt(0) > 0x7f && !isJsSpace(c));
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
  /** Where the lexer cannot tell how the browser reads what follows (see `unknownReason`). */
  Unknown,
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
  "default",
  "extends",
  // A line break after these ends the statement: `break\n/re/.test(s)`.
  "break",
  "continue",
  "debugger",
]);
// These may be keywords (a regular expression may follow) or names (a `/` divides).
const AMBIGUOUS_WORDS = new Set(["yield", "await", "of", "async", "let", "get", "set", "static"]);

/** `#last` after a value written in code. */
const VALUE = "\u0000";

// Before these words' `(…)` a `)` ends a condition, and a `/` after it starts a regular
// expression (`if (s) /"/.test(s)`); after any other `)` it divides.
const CONDITION_WORDS = new Set(["if", "while", "for", "with"]);

/** Where in a script a hole is: the escaper for it, or why none fits. */
export type JsHole = "jsString" | "jsValue" | "regex" | "comment" | "unknown";

/** Follows one script's static text, one character at a time. */
export class JsLexer {
  #js = Js.Code;
  /** Brace depths of the open `${` substitutions in template literals. */
  #braces: number[] = [];
  #escaped = false;
  /** The last significant character and word (decide regex vs division). */
  #last = "";
  #word = "";
  /** The word was written after a `.` or `#` (a property name, not a keyword). */
  #property = false;
  /** The last character of a block comment was a `*` of the comment (a `/` closes it). */
  #star = false;
  /** The significant character before `#last` (`++` before a `/`). */
  #beforeLast = "";
  /** A value in code was the last thing read (a name right after it would join it). */
  #afterValue = false;
  /** UTF-16 units read in this script (a hashbang is only at its start). */
  #units = 0;
  /** Whitespace came after the last significant character (`export default` is two words). */
  #gap = false;
  /** A value came right after a `$` in a template literal: a `{` now would make `${`. */
  #valueAfterDollar = false;
  /** The word before the current one (`for await (`). */
  #previousWord = "";
  /** The last character of a template literal was an unescaped `$` (a `{` starts `${`). */
  #dollar = false;
  /** A `\` then CR was read in a string: an LF next continues the same line break. */
  #continued = false;
  /** For each open `(`: whether it holds a condition (`if (`, `while (`, …). */
  #parens: boolean[] = [];
  /** The `)` just read closed a condition. */
  #condition = false;
  /** The significant text of the current line so far (a `-->` at its start is a comment). */
  #line = "";
  /** The last three significant characters of code, across lines and comments (`...`). */
  #lastThree = "";
  /** A line break (or a comment holding one) came after the last significant character. */
  #lineBreak = false;
  /** The `/` being read came after a line break. */
  #slashAfterBreak = false;
  /** Why the lexer stopped (in state Unknown). */
  unknownReason = "";

  /** Stops reading: every value after this point in the script is refused, saying why. */
  #unknown(reason: string): void {
    this.#js = Js.Unknown;
    this.unknownReason = `a value after ${reason}`;
  }

  /**
   * What decides how the lexer reads what follows, as a string: two points with the same key
   * read the rest of a script alike (see ContextScanner.key).
   */
  key(): string {
    const slash = this.#ambiguousSlash(this.#lineBreak)
      ? "?"
      : this.#regexAllowed()
      ? "regex"
      : "divide";
    const glue = !this.#gap && (this.#afterValue || isWordChar(this.#last));
    return JSON.stringify([
      this.#js,
      this.#braces,
      this.#parens,
      this.#escaped,
      this.#dollar || this.#valueAfterDollar,
      this.#js === Js.Code || this.#js === Js.Slash ? slash : "",
      glue,
      // The word static text after this point would continue (`ty` + `pe` + `of`: skipped,
      // the block leaves `tyof`, not `typeof`; outside tester, thirty-sixth round).
      glue ? this.#word : "",
      this.#last === "." ? this.#lastThree : "", // `...` before a keyword
      "-->".startsWith(this.#line) ? this.#line : "", // Annex B `-->` at a line's start
      this.#js === Js.Slash && this.#slashAfterBreak,
      this.#js === Js.BlockComment && this.#star,
      this.#continued,
      this.#lineBreak,
      this.#units === 0,
    ]);
  }

  /** What a hole here is. */
  hole(): JsHole {
    switch (this.#js) {
      case Js.DQ:
      case Js.SQ:
      case Js.Template:
        return "jsString";
      case Js.Code:
        if (!this.#gap && isWordChar(this.#last)) {
          // `1<%= n %>. in /"/`: with 0 the browser reads `10.`, a number, where the lexer read
          // a property's dot; a name or number glued to a value is one token with it.
          this.#unknown("a name or number, glued to it (`1<%= n %>` with 0 makes `10`)");
          return "unknown";
        }
        return "jsValue";
      case Js.Slash:
        if (this.#ambiguousSlash(this.#slashAfterBreak)) {
          this.#unknownSlash();
          return "unknown";
        }
        return this.#regexAllowed() ? "regex" : "jsValue";
      case Js.Regex:
      case Js.RegexClass:
        return "regex";
      case Js.Unknown:
        return "unknown";
      default:
        return "comment";
    }
  }

  /** After a value: in code, a `/` after it divides. */
  afterValue(): void {
    // A static `\` before a value escapes the value's first character, or, when the value is
    // empty, the static one after it: what follows cannot be read with certainty. A static
    // `$` before one makes `${` with a `{` after an empty value.
    if (this.#escaped) {
      this.#escaped = false;
      this.#unknown(
        'a "\\" then a value in a JavaScript string (an empty value leaves the "\\" to escape ' +
          "what follows)",
      );
      return;
    }
    this.#valueAfterDollar ||= this.#dollar; // `$`, two values, then `{`
    this.#dollar = false;
    if (this.#js === Js.Slash) this.#js = Js.Code; // the value was the divisor
    if (this.#js !== Js.Code) return;
    this.#setLast(VALUE);
    this.#word = "";
    this.#gap = false;
    this.#afterValue = true;
  }

  /** Records the last significant character of code (a value: `VALUE`; a string's end: `]`). */
  #setLast(c: string): void {
    this.#beforeLast = this.#last;
    this.#last = c;
    this.#lastThree = (this.#lastThree + c).slice(-3);
  }

  #regexAllowed(): boolean {
    const last = this.#last;
    if (last === "") return true;
    if (REGEX_AFTER_WORD.has(this.#word) && !this.#property) return true;
    if (last === ")") return this.#condition;
    return !(isWordChar(last) || last === "]" || last === "}");
  }

  #unknownSlash(): void {
    const last = this.#last;
    const after = last === VALUE ? "a value" : `"${isWordChar(last) ? this.#word : last}"`;
    this.#unknown(
      `a "/" ${
        this.#slashAfterBreak ? "on a new line " : ""
      }after ${after}, which may start a regular expression or divide`,
    );
  }

  /**
   * A `/` whose meaning (division or regular expression) the lexer cannot tell.
   *
   * @param afterBreak Whether a line break came before it.
   */
  #ambiguousSlash(afterBreak: boolean): boolean {
    const last = this.#last;
    // A block's end or an object literal's; a value may be `{}`, a block where a statement
    // starts.
    if (last === "}" || last === VALUE) return true;
    if (AMBIGUOUS_WORDS.has(this.#word) && !this.#property) return true;
    // A line break before it ends the statement where the grammar cannot go on with a division
    // (`var a`, `break label`, `import "m"`): the `/` then starts a regular expression.
    if (afterBreak && !this.#regexAllowed()) return true;
    // After `++` or `--` a `/` divides when they were postfix (`a++ / b`, also across lines
    // and comments), not otherwise.
    return (last === "+" || last === "-") && this.#beforeLast === last;
  }

  step(c: string, recent: string): void {
    this.#units++;
    if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") {
      this.#line = "";
      const js = this.#js;
      if (js === Js.Code || js === Js.LineComment || js === Js.BlockComment) this.#lineBreak = true;
      // A string cannot hold a CR or LF unless a `\` continues the line: where one does, the
      // lexer has misread the script (a comment form it does not know, say).
      if ((this.#js === Js.DQ || this.#js === Js.SQ) && (c === "\n" || c === "\r")) {
        const continued = this.#escaped || (this.#continued && c === "\n");
        this.#escaped = false;
        this.#continued = continued && c === "\r";
        if (!continued) this.#unknown("a line break inside a JavaScript string");
        return;
      }
    } else if (this.#js === Js.Code && !isJsSpace(c)) this.#line += c;
    this.#continued = false;
    switch (this.#js) {
      case Js.Code: {
        const braces = this.#braces;
        if (c === "\\") {
          // In code only a Unicode escape in a name (`x\u{61}return` is one name, `xareturn`):
          // the lexer does not read them, and a keyword it would see after one decides `/`.
          this.#unknown('a "\\" in JavaScript code (a Unicode escape in a name)');
          return;
        }
        if (c === '"') this.#js = Js.DQ;
        else if (c === "'") this.#js = Js.SQ;
        else if (c === "`") this.#js = Js.Template;
        else if (c === "/") {
          this.#js = Js.Slash;
          this.#slashAfterBreak = this.#lineBreak;
          return;
        } else if (c === ">" && this.#line === "-->") {
          // A line that starts with `-->` is a comment (JavaScript's Annex B, in a browser).
          this.#js = Js.LineComment;
          return;
        } else if (c === "{" && braces.length > 0) braces[braces.length - 1]++;
        else if (c === "}" && braces.length > 0 && braces[braces.length - 1]-- === 0) {
          braces.pop();
          this.#js = Js.Template;
          return;
        } else if (c === "(") {
          const word = this.#property ? "" : this.#word;
          this.#parens.push(
            CONDITION_WORDS.has(word) || (word === "await" && this.#previousWord === "for"),
          );
        }
        if (isJsSpace(c)) {
          this.#gap = true;
          return;
        }
        const gap = this.#gap;
        this.#gap = false;
        this.#lineBreak = false;
        if (this.#afterValue && !gap && isWordChar(c)) {
          // `typeof <%= v %>in /x/`: with `null` the browser reads one name, `nullin`.
          this.#unknown("a value followed directly by a name");
          return;
        }
        this.#afterValue = false;
        if (c === "!" && this.#units === 2 && this.#line === "#!") {
          // A hashbang line, at the start of a script, is a comment.
          this.#js = Js.LineComment;
          return;
        }
        this.#condition = c === ")" && (this.#parens.pop() ?? false);
        if (isWordChar(c)) {
          if (gap || !isWordChar(this.#last)) {
            // After `.` (not the spread `...`) or `#` a name is a property, not a keyword.
            this.#property = this.#last === "#" ||
              (this.#last === "." && this.#lastThree !== "...");
            if (this.#word !== "") this.#previousWord = this.#word;
            this.#word = c;
          } else this.#word += c;
        } else if (c === "." && !gap && /^(?:0|[1-9][0-9_]*|0[0-9]*[89][0-9]*)$/.test(this.#word)) {
          // `1.` is a number: a `/` after it divides. After `1.5`, `1n`, `0x1`, `1e3`, a legacy
          // octal `01` or a space the `.` reads a property (`1..typeof / 2` divides).
          this.#word += c;
          return;
        } else this.#word = "";
        this.#setLast(c);
        return;
      }
      case Js.Slash:
        if (c === "/") this.#js = Js.LineComment;
        else if (c === "*") {
          // A comment on the line does not stop a `-->` after it from starting one (Annex B).
          this.#line = this.#line.slice(0, -1);
          this.#js = Js.BlockComment;
          this.#star = false;
        } else if (this.#ambiguousSlash(this.#slashAfterBreak)) this.#unknownSlash();
        else {
          this.#lineBreak = false;
          if (this.#regexAllowed()) this.#js = Js.Regex;
          else {
            this.#js = Js.Code;
            this.#setLast("/");
            this.#word = "";
          }
          this.step(c, recent);
        }
        return;
      case Js.DQ:
      case Js.SQ:
      case Js.Template:
      case Js.Regex:
      case Js.RegexClass:
        this.#quoted(c);
        return;
      case Js.LineComment:
        if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") {
          this.#js = Js.Code;
          this.#gap = true;
        }
        return;
      case Js.BlockComment:
        // `*/` closes it, the `*` a character of the comment (`/*/` does not close it). A
        // comment parts two words as a space does (`0/**/in`).
        if (c === "/" && this.#star) {
          this.#js = Js.Code;
          this.#gap = true;
        }
        this.#star = c === "*";
    }
  }

  #quoted(c: string): void {
    if (this.#valueAfterDollar) {
      this.#valueAfterDollar = false;
      if (c === "{") {
        this.#unknown('"$", a value, then "{" in a template literal (an empty value makes "${")');
        return;
      }
    }
    const dollar = this.#dollar;
    this.#dollar = false;
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
    else if (js === Js.Template && c === "$") this.#dollar = true;
    else if (js === Js.Template && c === "{" && dollar) {
      this.#braces.push(0);
      this.#js = Js.Code;
      this.#setLast("{");
      return;
    } else if (c === (js === Js.DQ ? '"' : js === Js.SQ ? "'" : js === Js.Template ? "`" : "/")) {
      this.#js = Js.Code;
      // An operand, as after `]`: a `/` divides, and a word glued to it (`"k"in`) is new.
      this.#setLast("]");
      this.#word = "";
    }
  }
}
