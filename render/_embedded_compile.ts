// Parse → generate → compile for the embedded-code engine.
import { ContextError, ContextScanner, type Hole } from "./_html_context.ts";
import { SourceLines } from "./_source_location.ts";
import { TemplateSyntaxError } from "./errors.ts";

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
  fn: (it: unknown, helpers: unknown) => string | Promise<string>;
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
  const code: string[] = [];
  const lines: SourceLine[] = [];
  const emit = (text: string, file: string, line: number, column = 1, exact = false) => {
    const n = countLines(text);
    for (let k = 0; k < n; k++) {
      lines.push({ file, line: line + k, column: k === 0 ? column : 1, exact });
    }
    code.push(text);
  };
  emit('"use strict";', file, 1);
  emit(
    "const __e = __h.e, __x = __h.x, __s = __h.s, __js = __h.js, __jv = __h.jv, __u = __h.u, " +
      "__an = __h.an, __rf = __h.rf, url = __h.url, json = __h.json; let __v, __c;",
    file,
    1,
  );
  emit('let __o = "";', file, 1);
  let isAsync = false;
  // Adjacent static and output pieces become one `+=` chain: fewer statements, faster renders.
  let chain: string[] = [];
  let chainFile = file;
  let chainLine = 1;
  let chainColumn = 1;
  const flush = () => {
    if (chain.length > 0) emit(`__o += ${chain.join(" + ")};`, chainFile, chainLine, chainColumn);
    chain = [];
  };
  for (const t of tokens) {
    if (t.kind === "code") {
      flush();
      if (t.value.includes("await")) isAsync = true;
      emit(t.value, t.file, t.line, t.column, true);
      continue;
    }
    if (t.kind === "text") {
      if (t.value === "") continue;
      if (chain.length === 0) [chainFile, chainLine, chainColumn] = [t.file, t.line, t.column];
      chain.push(JSON.stringify(t.value));
      continue;
    }
    if (t.value.includes("await")) isAsync = true;
    const multiline = countLines(t.value) > 1 || t.value.includes("//");
    if (multiline) {
      flush();
      const [before, after] = call(t, holes.get(t));
      emit(`__o += ${before}`, t.file, t.line, t.column);
      emit(t.value, t.file, t.line, t.column, true);
      emit(`${after};`, t.file, t.line + countLines(t.value) - 1);
    } else {
      // A chain is one generated line: keep expressions on the line they came from so a
      // runtime error maps to it.
      if (chain.length > 0 && (chainFile !== t.file || chainLine !== t.line)) flush();
      if (chain.length === 0) [chainFile, chainLine, chainColumn] = [t.file, t.line, t.column];
      const [before, after] = call(t, holes.get(t));
      chain.push(before + t.value + after);
    }
  }
  flush();
  emit("return __o;", file, lines[lines.length - 1]?.line ?? 1);
  const body = code.join("\n") + `\n//# sourceURL=${sourceUrl}`;
  const Ctor = isAsync ? (async function () {}).constructor as FunctionConstructor : Function;
  let fn: CompiledEmbedded["fn"];
  try {
    fn = new Ctor("it", "__h", body) as CompiledEmbedded["fn"];
  } catch (e) {
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
  return { fn, file, sourceUrl, lines };
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
  for (const t of tokens) {
    try {
      if (t.kind === "text") scanner.text(t.value);
      else if (t.kind === "escaped") holes.set(t, scanner.hole());
      else if (t.kind === "raw") scanner.raw();
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
  return holes;
}

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
  const module = `export default ${isAsync ? "async " : ""}function(it, __h) {${body}\n}`;
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
