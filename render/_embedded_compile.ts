// Parse → generate → compile for the embedded-code engine.
import { ContextError, ContextScanner, type Hole } from "./_html_context.ts";
import { ValueProbes } from "./_browser_tree.ts";
import { type Token as JsToken, tokenizer } from "acorn";
import { SourceLines } from "./_source_location.ts";
import { TemplateSyntaxError } from "./errors.ts";
import { type Pieces, StaticChunks } from "./_html_bytes.ts";

/** A parsed piece of a template. */
interface Token {
  kind: "text" | "code" | "escaped" | "raw";
  value: string;
  file: string;
  /** 1-based line where `value` starts. */
  line: number;
  /** 1-based column where `value` starts. */
  column: number;
}

/** Where a generated line came from. */
export interface SourceLine {
  file: string;
  line: number;
  /** Template column of the generated line's first character. */
  column: number;
  /** Whether the generated line is the template text itself (columns map one to one). */
  exact: boolean;
}

/** What the engine needs to compile a template and its includes. */
export interface CompileHost {
  read(path: string): Promise<string>;
  resolveInclude(from: string, target: string): string;
}

/** The compiled template: the function and the map from generated lines to template lines. */
export interface CompiledEmbedded {
  /** The string form; `turn` is its render's (see _turn.ts): its lines write only on it. */
  fn: (it: unknown, helpers: unknown, turn: number) => string | Promise<string>;
  /** Whether the template awaits. */
  isAsync: boolean;
  /**
   * For templates that do not await, the bytes form: `fn` returns the values alone, logs the
   * pieces in `pieces`, and leaves escaping to `HtmlBytes` (see `generate`).
   */
  bytes?: {
    fn: (it: unknown, helpers: unknown, pieces: Pieces, turn: number) => string;
    statics: StaticChunks;
  };
  file: string;
  sourceUrl: string;
  /** Index = generated body line (0-based) → template location. */
  lines: SourceLine[];
}

/** Finds the `%>` closing a tag, skipping JS strings and comments that may contain it. */
function findClose(src: string, from: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === "%" && src[i + 1] === ">") return i;
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      // An unmatched quote is most likely not a string (a regexp, say): fall back.
      if (j >= src.length) return src.indexOf("%>", from);
      i = j + 1;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end === -1) return src.indexOf("%>", from);
      i = end + 2;
    } else i++;
  }
  return -1;
}

const INCLUDE = /^\s*include\s+file\s*=\s*(?:"([^"]*)"|'([^']*)')\s*$/;

async function tokenize(
  file: string,
  host: CompileHost,
  stack: string[],
  out: Token[],
): Promise<void> {
  const src = await host.read(file);
  const lines = new SourceLines(src);
  const fail = (reason: string, offset: number, cause?: unknown): never => {
    throw new TemplateSyntaxError(reason, src, { file, ...lines.at(offset) }, { cause });
  };
  const push = (kind: Token["kind"], value: string, offset: number) => {
    out.push({ kind, value, file, ...lines.at(offset) });
  };
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf("<%", i);
    if (open === -1) {
      push("text", src.slice(i), i);
      break;
    }
    if (open > i) push("text", src.slice(i, open), i);
    if (src.startsWith("<%--", open)) {
      const end = src.indexOf("--%>", open + 4);
      if (end === -1) fail("unterminated comment: <%-- has no --%>", open);
      i = end + 4;
      continue;
    }
    const mark = src[open + 2];
    if (mark === "%") {
      push("text", "<%", open);
      i = open + 3;
      continue;
    }
    if (mark === "-") {
      fail("<%- is not a tag: write <%~ for raw output or <%-- for a comment", open);
    }
    const kind = mark === "="
      ? "escaped"
      : mark === "~"
      ? "raw"
      : mark === "@"
      ? "directive"
      : "code";
    const start = kind === "code" ? open + 2 : open + 3;
    const close = findClose(src, start);
    if (close === -1) fail(`unterminated tag: <%${kind === "code" ? "" : mark} has no %>`, open);
    const body = src.slice(start, close);
    i = close + 2;
    if (kind === "directive") {
      const m = INCLUDE.exec(body);
      if (m === null) fail(`unknown directive: expected <%@ include file="name" %>`, open);
      const target = m![1] ?? m![2];
      let path: string;
      try {
        path = host.resolveInclude(file, target);
      } catch (e) {
        fail((e as Error).message, open, e);
      }
      if (stack.includes(path!)) {
        fail(`include cycle: ${[...stack, path!].join(" -> ")}`, open);
      }
      try {
        await tokenize(path!, host, [...stack, path!], out);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) fail(`included file not found: ${path!}`, open, e);
        throw e;
      }
      continue;
    }
    if ((kind === "escaped" || kind === "raw") && body.trim() === "") {
      fail("empty expression", open);
    }
    push(kind, body, start);
  }
}

function countLines(s: string): number {
  return new SourceLines(s).count;
}

/** Generated code: the function body and the map from its lines to template lines. */
interface Generated {
  body: string;
  lines: SourceLine[];
  isAsync: boolean;
  /** How many block-scoped constants the bytes form declares (V8 gives each its own slot). */
  locals: number;
}

/** What a line of output code holds, in order: static text and holes. */
type Piece = { text: string } | { hole: string; escaped: boolean };

/**
 * Generates the function body, in one of two forms with the same lines (so errors map alike).
 * The string form appends everything to `__o`. The bytes form (`statics` given) appends only
 * the holes' values to `__o` and logs every piece in the third argument, a `Pieces`: a static
 * chunk by its number in `statics` (as -1 - number), a value by where it ends, doubled, plus 1
 * when `HtmlBytes` is to copy it as it is rather than escape it.
 */
function generate(
  tokens: Token[],
  holes: Map<Token, Hole>,
  file: string,
  sourceUrl: string,
  statics?: string[],
): Generated {
  const code: string[] = [];
  const lines: SourceLine[] = [];
  const emit = (text: string, file: string, line: number, column = 1, exact = false) => {
    const n = countLines(text);
    for (let k = 0; k < n; k++) {
      lines.push({ file, line: line + k, column: k === 0 ? column : 1, exact });
    }
    code.push(text);
  };
  const numbers = new Map<string, number>();
  const chunk = (text: string) => {
    let k = numbers.get(text);
    if (k === undefined) numbers.set(text, k = statics!.push(text) - 1);
    return -1 - k;
  };
  // The bytes form: `__P` (the log) is grown before a line's pieces, never in between. A line
  // logs only on its render's turn (see _turn.ts), as the string form's lines write.
  const room = (count: number) =>
    `if (__n + ${count} > __P.length) __P = __p.grow(__n + ${count});`;
  const onTurn = (log: string) => `if (__T.now === __t) { ${log} }`;
  // The string form's `__o += a + f()` reads `__o` before it calls `f`: what `f` writes (a
  // function of the template that writes output, or a generator resumed) is lost. The bytes
  // form does the same: it takes the page as it was before a line's holes back after them.
  let locals = 0;
  const evaluate = (values: string[]) => {
    locals += values.length + 2;
    return `const __o0 = __o, __n0 = __n, ${values.join(", ")}; __o = __o0; __n = __n0;`;
  };
  const valueEnd = (escaped: boolean) => `).length << 1${escaped ? "" : " | 1"}`;
  emit('"use strict";', file, 1);
  emit(
    "const __e = __h.e, __x = __h.x, __s = __h.s, __js = __h.js, __jv = __h.jv, __u = __h.u, " +
      "__an = __h.an, __rf = __h.rf, url = __h.url, json = __h.json, __w = __h.w, __T = __h.T; " +
      "let __v, __c;",
    file,
    1,
  );
  emit(
    statics ? 'let __o = "", __P = __p.log, __n = 0;' : 'let __o = "";',
    file,
    1,
  );
  let isAsync = false;
  // Adjacent static and output pieces on one template line become one generated line: one
  // `+=` chain in the string form, fewer statements, faster renders.
  let line: Piece[] = [];
  let lineFile = file;
  let lineNumber = 1;
  let lineColumn = 1;
  const flush = () => {
    if (line.length === 0) return;
    let out: string;
    if (statics === undefined) {
      const terms = line.map((p) => "text" in p ? JSON.stringify(p.text) : p.hole).join(" + ");
      out = `__o = __w(__t, __o, ${terms});`;
    } else {
      // All or nothing, as the string form's one `+=`: every hole is evaluated (and may throw)
      // before anything is logged or appended.
      const values: string[] = [];
      const pieces: string[] = [];
      let text = "";
      for (const p of line) {
        if ("text" in p) {
          text += p.text;
          continue;
        }
        if (text !== "") pieces.push(String(chunk(text)));
        text = "";
        values.push(`__a${values.length} = ${p.hole}`);
        pieces.push(`(__o += __a${values.length - 1}${valueEnd(p.escaped)}`);
      }
      if (text !== "") pieces.push(String(chunk(text)));
      const log = onTurn(
        [room(pieces.length), ...pieces.map((piece) => `__P[__n++] = ${piece};`)].join(" "),
      );
      out = values.length === 0 ? log : `{ ${evaluate(values)} ${log} }`;
    }
    emit(out, lineFile, lineNumber, lineColumn);
    line = [];
  };
  const add = (t: Token, piece: Piece) => {
    // One generated line per template line: a runtime error maps to it.
    if (line.length > 0 && (lineFile !== t.file || lineNumber !== t.line)) flush();
    if (line.length === 0) [lineFile, lineNumber, lineColumn] = [t.file, t.line, t.column];
    line.push(piece);
  };
  for (const t of tokens) {
    if (t.kind === "code") {
      flush();
      if (t.value.includes("await")) isAsync = true;
      emit(t.value, t.file, t.line, t.column, true);
      continue;
    }
    if (t.kind === "text") {
      if (t.value !== "") add(t, { text: t.value });
      continue;
    }
    if (t.value.includes("await")) isAsync = true;
    const hole = holes.get(t);
    const [before, after] = call(t, hole);
    const escaped = statics !== undefined && hole !== undefined && ESCAPED_ON_BYTES.has(hole.kind);
    if (countLines(t.value) > 1 || t.value.includes("//")) {
      flush();
      if (statics !== undefined) locals += 3;
      const [open, close] = statics === undefined ? ["__o = __w(__t, __o, ", ");"] : [
        "{ const __o0 = __o, __n0 = __n, __a0 = ",
        `; __o = __o0; __n = __n0; ${
          onTurn(`${room(1)} __P[__n++] = (__o += __a0${valueEnd(escaped)};`)
        } }`,
      ];
      emit(open + before, t.file, t.line, t.column);
      emit(t.value, t.file, t.line, t.column, true);
      emit(`${after}${close}`, t.file, t.line + countLines(t.value) - 1);
    } else add(t, { hole: before + t.value + after, escaped });
  }
  flush();
  emit(
    statics ? "__p.count = __n; return __o;" : "return __o;",
    file,
    lines[lines.length - 1]?.line ?? 1,
  );
  return { body: code.join("\n") + `\n//# sourceURL=${sourceUrl}`, lines, isAsync, locals };
}

/** The most block-scoped constants a bytes form may declare (256 KiB of stack slots). */
const MAX_BYTES_LOCALS = 1 << 15;

/** The hole kinds whose escaper ends in `escapeHtml`: in the bytes form, done on the bytes. */
const ESCAPED_ON_BYTES = new Set<Hole["kind"]>(["html", "url", "srcset", "animation", "refresh"]);

/**
 * Parses a template file (following includes) and compiles it to a function.
 *
 * @param file The absolute path of the template.
 * @param host File access and include resolution.
 * @param sourceUrl The name the generated code carries in stack traces.
 */
export async function compileEmbedded(
  file: string,
  host: CompileHost,
  sourceUrl: string,
): Promise<CompiledEmbedded> {
  const tokens: Token[] = [];
  await tokenize(file, host, [file], tokens);
  const holes = await contexts(tokens, host);
  const { body, lines, isAsync } = generate(tokens, holes, file, sourceUrl);
  const Ctor = isAsync ? (async function () {}).constructor as FunctionConstructor : Function;
  let fn: CompiledEmbedded["fn"];
  try {
    fn = new Ctor("it", "__h", "__t", body) as CompiledEmbedded["fn"];
  } catch (e) {
    if (e instanceof RangeError) {
      // V8's parser recurses: code nested thousands deep exhausts the stack.
      throw new TemplateSyntaxError(
        `embedded code nests too deeply for the JavaScript compiler (${e.message})`,
        await host.read(file),
        { file, line: 1, column: 1 },
        { cause: e },
      );
    }
    if (!(e instanceof SyntaxError)) throw e;
    const where = await diagnose(body, isAsync);
    const at = where === undefined ? undefined : lines[where.line - 1];
    const origin = at ?? { file, line: 1, column: 1, exact: false };
    const column = origin.exact ? origin.column + where!.column - 1 : origin.column;
    const src = await host.read(origin.file);
    throw new TemplateSyntaxError(
      `JavaScript syntax error in embedded code: ${e.message}`,
      src,
      { file: origin.file, line: origin.line, column },
      { cause: e },
    );
  }
  // A template that awaits could interleave with another render: it keeps the string path.
  let bytes: CompiledEmbedded["bytes"];
  if (!isAsync) {
    const statics: string[] = [];
    const { body, locals } = generate(tokens, holes, file, sourceUrl, statics);
    // Each line's constants take stack slots of their own: a template with tens of thousands of
    // lines with holes would not fit on the stack. It keeps the string path.
    if (locals <= MAX_BYTES_LOCALS) {
      const fn = new Function("it", "__h", "__p", "__t", body) as NonNullable<typeof bytes>["fn"];
      bytes = { fn, statics: new StaticChunks(statics) };
    }
  }
  return { fn, isAsync, bytes, file, sourceUrl, lines };
}

/**
 * Decides the HTML context of every escaped hole (see _html_context.ts).
 *
 * @throws {TemplateSyntaxError} At a hole no escaper makes safe, or at static text that
 *   makes a hole before it unsafe.
 */
async function contexts(tokens: Token[], host: CompileHost): Promise<Map<Token, Hole>> {
  const scanner = new ContextScanner();
  const holes = new Map<Token, Hole>();
  // The page the scanner read, each escaped value a probe, for the check against a browser's
  // tree. A raw value writes nothing there: the scanner reads none of its characters either.
  const probes = new ValueProbes(tokens.map((t) => t.value).join(""));
  const probed: Token[] = [];
  /** The scanner's key where each block of code still open began (see ContextScanner.key). */
  const blocks: Block[] = [];
  for (const t of tokens) {
    const problem = t.kind === "code"
      ? blockProblem(t.value, blocks, scanner.key(), t.line)
      : outOfPlace(t, blocks, scanner.key());
    if (problem !== undefined) {
      throw new TemplateSyntaxError(
        `unsafe context: ${problem}`,
        await host.read(t.file),
        {
          file: t.file,
          line: t.line,
          column: t.column - (t.kind === "text" ? 0 : t.kind === "code" ? 2 : 3),
        },
      );
    }
    try {
      if (t.kind === "text") {
        scanner.text(t.value);
        probes.text(t.value);
      } else if (t.kind === "escaped") {
        const place = scanner.place();
        const hole = scanner.hole();
        holes.set(t, hole);
        if (place.in === "script") place.js = hole.kind === "jsString" ? "string" : "code";
        probed[probes.value(place)] = t;
      } else if (t.kind === "raw") scanner.raw();
    } catch (e) {
      if (!(e instanceof ContextError)) throw e;
      let at = { line: t.line, column: t.column - 3 }; // the hole's "<%="
      if (t.kind === "text") {
        const inner = new SourceLines(t.value).at(e.index);
        at = inner.line === 1
          ? { line: t.line, column: t.column + inner.column - 1 }
          : { line: t.line + inner.line - 1, column: inner.column };
      }
      throw new TemplateSyntaxError(
        `unsafe context: ${e.message}`,
        await host.read(t.file),
        { file: t.file, ...at },
      );
    }
  }
  const disagreement = probes.disagreement();
  if (disagreement !== undefined) {
    const t = probed[disagreement.value];
    throw new TemplateSyntaxError(
      `unsafe context: ${disagreement.reason}; write <%~ %> if the value is safe there ` +
        "(the author's responsibility)",
      await host.read(t.file),
      { file: t.file, line: t.line, column: t.column - 3 },
    );
  }
  return holes;
}

/**
 * Follows the blocks of template text a `<% %>` tag opens and closes (see blockEvents) and
 * tells why it is unsafe, if it is: a block whose text ends in another context than it began
 * in, a jump out of one from another context, a statement without braces. Skipped or repeated,
 * such text would leave what follows read in a context it is not in.
 *
 * @param code The tag's code.
 * @param blocks The scanner's key where each open block began, and its line (updated).
 * @param key The scanner's key at the tag.
 * @param line The tag's line.
 */
function blockProblem(
  code: string,
  blocks: Block[],
  key: string,
  line: number,
): string | undefined {
  const fix = "close inside the block what it opens, or write what varies as one value " +
    "(<%= c ? a : b %>)";
  const tryProblem = errorSkips(blocks, key);
  if (tryProblem !== undefined) return tryProblem;
  for (const event of blockEvents(code)) {
    if (event === "open") blocks.push({ key, line, kind: "block" });
    else if (event === "openTry") blocks.push({ key, line, kind: "try" });
    else if (event === "openFunction") blocks.push({ key, line, kind: "function" });
    else if (event === "close") {
      const block = blocks.pop();
      if (block !== undefined && block.key !== key) {
        return `the template's text in the block of code from line ${block.line} ends in ` +
          `another context than it starts in; ${fix}`;
      }
    } else if (event === "jump") {
      const block = blocks.find((b) => b.key !== key);
      if (block !== undefined) {
        return "a break, continue, return or throw skips the rest of the block of code from line " +
          `${block.line}, which began in another context than this point; ${fix}`;
      }
    } else if (event === "braceless") {
      return "code that runs the template's text after it without braces (if (c), else, do, " +
        "a label): write braces, <% if (c) { %>…<% } %>";
    } else return "code whose braces cannot be read (acorn's tokenizer refuses it)";
  }
  return undefined;
}

/** A block of template code still open: the scanner's key where it began, its line, its kind. */
interface Block {
  key: string;
  line: number;
  kind: "block" | "try" | "function";
}

/**
 * Why template text or a value here is unsafe, if it is: inside a function's body (written
 * where the function is called, in whatever context that is), or a value inside a `try` block
 * in another context than the block began in (an error it throws skips the rest).
 */
function outOfPlace(t: Token, blocks: readonly Block[], key: string): string | undefined {
  if (t.kind !== "text" && t.kind !== "escaped") return undefined;
  if (t.kind === "text" && t.value.trim() === "") return undefined;
  const fn = blocks.find((b) => b.kind === "function");
  if (fn !== undefined) {
    return `template text or a value in the function from line ${fn.line}: it is written ` +
      "where the function is called, in whatever context that is; use a loop (for … of) or an " +
      "include";
  }
  return t.kind === "escaped" ? errorSkips(blocks, key) : undefined;
}

/** A `try` block whose start differs from here: an error thrown here skips the rest of it. */
function errorSkips(blocks: readonly Block[], key: string): string | undefined {
  const block = blocks.find((b) => b.kind === "try" && b.key !== key);
  if (block === undefined) return undefined;
  return `a value or code in the try block from line ${block.line} in another context than the ` +
    "block began in: an error it throws skips the rest of the block; close what the block " +
    "opens before any value or code in it";
}

/**
 * What a `<% %>` tag does to the blocks of template text around it, in order: opens one (a
 * brace left open: `if (c) {`, `for (…) {`, `xs.forEach((x) => {`), closes one (`}`; `} else {`
 * and `case 2:` close a branch and open the next), jumps out of them (`break`, `continue`,
 * `throw`), or runs the text after it under a statement without braces (`if (c)`, `else`,
 * `do`, a label). Read with acorn's tokenizer; `unreadable` when it cannot read the code.
 */
function blockEvents(code: string): BlockEvent[] {
  let tokens: JsToken[];
  try {
    tokens = [...tokenizer(code, { ecmaVersion: "latest", allowReturnOutsideFunction: true })];
  } catch {
    return ["unreadable"];
  }
  const events: BlockEvent[] = [];
  /** Braces and `${` opened in this tag and not yet closed: what each opens. */
  const local: (BlockEvent | "${")[] = [];
  /** For each open `(`, its index; for each `)` read, the index of its `(`. */
  const parens: number[] = [];
  const openOf = new Map<number, number>();
  const labelAt = (i: number) => tokens[i]?.type.label;
  for (let i = 0; i < tokens.length; i++) {
    const label = labelAt(i);
    const previous = labelAt(i - 1);
    if (label === "${") local.push("${");
    else if (label === "{") local.push(opens(tokens, i, openOf, code));
    else if (label === "}") {
      if (local.length > 0) local.pop();
      else events.push("close");
    } else if (label === "(") parens.push(i);
    else if (label === ")") openOf.set(i, parens.pop() ?? -1);
    else if (JUMPS.has(label!)) events.push("jump");
    else if ((label === "case" || label === "default") && local.length === 0) {
      if (previous !== "." && previous !== "?.") events.push("close", "open");
    }
  }
  for (const open of local) if (open !== "${") events.push(open);
  const paren = openOf.get(tokens.length - 1);
  const beforeParen = paren === undefined ? undefined : tokens[paren - 1];
  const last = labelAt(tokens.length - 1);
  const head = beforeParen?.type.label;
  if (
    last === "else" || last === "do" ||
    // A label: a name and `:` where a statement starts (not `case X:`).
    (last === ":" && labelAt(tokens.length - 2) === "name" &&
      [undefined, ";", "{", "}", ":"].includes(labelAt(tokens.length - 3))) ||
    (last === ")" && (head === "if" || head === "for" || head === "with" ||
      // `} while (c)` ends a do block; a `while (c)` that starts a statement is braceless.
      (head === "while" && labelAt(paren! - 2) !== "}") ||
      (head === "name" && word(beforeParen!, code) === "await")))
  ) events.push("braceless");
  return events;
}

type BlockEvent =
  | "open"
  | "openTry"
  | "openFunction"
  | "close"
  | "jump"
  | "braceless"
  | "unreadable";

/** Statements that leave a block before its end: the rest of its text is skipped. */
const JUMPS = new Set(["break", "continue", "throw", "return"]);
/** Words before `(…) {` that make the braces a statement's block, not a function's body. */
const STATEMENTS = new Set(["if", "for", "while", "switch", "catch", "with"]);

/**
 * What the `{` at `i` opens: a `try` block, a function's body (written where the function is
 * called, not where it stands: a callback too, as what receives it may keep it, outside
 * tester, thirty-second round), or a block like a loop's or a branch's.
 */
function opens(
  tokens: JsToken[],
  i: number,
  openOf: ReadonlyMap<number, number>,
  code: string,
): BlockEvent {
  const before = tokens[i - 1]?.type.label;
  if (before === "try") return "openTry";
  if (before === "=>") return "openFunction";
  if (before !== ")") return "open";
  const paren = openOf.get(i - 1) ?? -1;
  const head = tokens[paren - 1];
  const name = head?.type.label === "name" ? word(head, code) : head?.type.label;
  const forAwait = name === "await" && tokens[paren - 2]?.type.label === "for";
  // A keyword where a statement starts; after `{`, `,`, `get`, `static`, `.` it names a method
  // (`{ if() { … } }`, outside tester, thirty-fourth round).
  const keyword = forAwait ? paren - 2 : paren - 1;
  const preceding = tokens[keyword - 1]?.type.label;
  // A `{` is a block's after `)`, `else`, `do`, … and an object's after `=`, `(`, `,`, `:`.
  const statement = STATEMENT_START.has(preceding) ||
    (preceding === "{" && BLOCK_AFTER.has(tokens[keyword - 2]?.type.label));
  return statement && (STATEMENTS.has(name ?? "") || forAwait) ? "open" : "openFunction";
}

/** What a statement may follow (the labels of the tokens before it; `undefined`: none). */
const STATEMENT_START = new Set([undefined, ";", "}", ")", "else", "do", ":"]);
/** What a block's `{` follows (an object literal's follows `=`, `(`, `,`, `:`, …). */
const BLOCK_AFTER = new Set([undefined, ";", "}", ")", "else", "do", "try", "finally", "=>"]);

const word = (token: JsToken, code: string) => code.slice(token.start, token.end);

/** The call around an output expression: its escaper (by context) or the raw writer. */
function call(t: Token, hole: Hole | undefined): [string, string] {
  if (hole === undefined) return ["__s(", ")"];
  const where = JSON.stringify(`${t.file}:${t.line}:${t.column - 3}`);
  switch (hole.kind) {
    case "html":
      return ["__e(", ")"];
    case "jsString":
      return ["__js(", ")"];
    case "jsValue":
      return ["__jv(", ")"];
    case "url":
      // The policy's fast path inline: a string starting with "/", "?" or "#" is a relative
      // URL (see _urlAllowed), escaped at once; anything else goes through the policy.
      return [
        "((__v = (",
        `)), typeof __v === "string" && ((__c = __v.charCodeAt(0)) === 47 || __c === 63 || ` +
        `__c === 35) ? __x(__v) : __u(__v, ${JSON.stringify(hole.attribute)}, ` +
        `${JSON.stringify(hole.tag)}, ${where}))`,
      ];
    case "srcset":
      return [
        "__u(",
        `, ${JSON.stringify(hole.attribute)}, ${JSON.stringify(hole.tag)}, ${where})`,
      ];
    case "animation":
      return ["__an(", `, ${JSON.stringify(hole.attribute)}, ${where})`];
    case "refresh":
      return [
        "__rf(",
        `, ${JSON.stringify(hole.prefix)}, ${JSON.stringify(hole.suffix)}, ${where})`,
      ];
  }
}

/**
 * `new Function` reports no position for a syntax error; loading the same code as a
 * module does. Only run for code that already failed to compile.
 */
async function diagnose(
  body: string,
  isAsync: boolean,
): Promise<{ line: number; column: number } | undefined> {
  const module = `export default ${isAsync ? "async " : ""}function(it, __h, __t) {${body}\n}`;
  try {
    await import(`data:application/javascript;base64,${base64(module)}`);
  } catch (e) {
    const m = /:(\d+):(\d+)\s*$/.exec(String((e as Error).message));
    if (m !== null) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return undefined;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}
