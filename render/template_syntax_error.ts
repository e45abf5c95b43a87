/**
 * The error for a template that cannot be compiled.
 *
 * @module
 */

/** Where a {@linkcode TemplateSyntaxError} happened. */
export interface TemplateLocation {
  /** The template file (or the name given to a compiled string). */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/**
 * Builds the excerpt shown in errors: the offending line and a caret under
 * the column.
 *
 * @param source The template source.
 * @param line 1-based line.
 * @param column 1-based column.
 * @returns Two lines: `  12 | <code>` and a caret line.
 */
function excerptOf(source: string, line: number, column: number): string {
  const text = source.split(/\r\n|\r|\n/)[line - 1] ?? "";
  const gutter = `${line} | `;
  const pad = text.slice(0, column - 1).replace(/[^\t]/g, " ");
  return `${gutter}${text}\n${" ".repeat(gutter.length)}${pad}^`;
}

/**
 * Thrown when a template cannot be compiled: an unterminated tag, a bad
 * directive, an include cycle, a JavaScript syntax error in embedded code, a
 * duplicate node name. Carries the file, the 1-based line and column, and an
 * excerpt with a caret under the column.
 *
 * @example Reading the location
 * ```ts
 * import { type TemplateLocation, TemplateSyntaxError } from "@pubkit/render/template-syntax-error";
 * import assert from "node:assert/strict";
 *
 * const at: TemplateLocation = { file: "page.ehtml", line: 2, column: 1 };
 * const e = new TemplateSyntaxError("unterminated tag", "a\n<% b", at);
 * assert.equal(e.line, 2);
 * assert.equal(e.excerpt, "2 | <% b\n    ^");
 * assert.match(e.message, /^Cannot compile template page\.ehtml:2:1: unterminated tag/);
 * ```
 */
export class TemplateSyntaxError extends Error {
  /** The template file. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  /** The offending line and a caret under the column. */
  readonly excerpt: string;

  /**
   * Creates the error.
   *
   * @param reason What is wrong.
   * @param source The template source, to cut the excerpt from.
   * @param location Where it is wrong.
   * @param options Standard error options (`cause`).
   */
  constructor(reason: string, source: string, location: TemplateLocation, options?: ErrorOptions) {
    const excerpt = excerptOf(source, location.line, location.column);
    super(
      `Cannot compile template ${location.file}:${location.line}:${location.column}: ${reason}\n${excerpt}`,
      options,
    );
    this.name = "TemplateSyntaxError";
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.excerpt = excerpt;
  }
}
