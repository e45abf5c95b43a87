/**
 * The errors of `@pubkit/render`: a template that cannot be compiled, fails while rendering or
 * is not found, and a URL the policy refused. They mean a bug of the app (its templates or its
 * data), so a server answers them with a logged 500.
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
 * import { type TemplateLocation, TemplateSyntaxError } from "@pubkit/render";
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

/** Options for {@linkcode TemplateRuntimeError}. */
export interface TemplateRuntimeErrorOptions extends ErrorOptions {
  /** The fill-template node being filled when the error happened. */
  node?: string;
}

/**
 * Wraps an error thrown by a template's code while rendering (or by a value's
 * `toString` while the fill engine fills a node), naming the
 * template file and the template line the failing code came from. The
 * original error is the `cause`.
 *
 * @example Reading the location
 * ```ts
 * import { TemplateRuntimeError } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const cause = new TypeError("x is undefined");
 * const e = new TemplateRuntimeError("page.ehtml", 7, { cause });
 * assert.equal(e.file, "page.ehtml");
 * assert.equal(e.line, 7);
 * assert.equal(e.cause, cause);
 * assert.equal(e.message, "Cannot render template page.ehtml:7: TypeError: x is undefined");
 *
 * const f = new TemplateRuntimeError("page.html", 3, { cause, node: "title" });
 * assert.equal(f.node, "title");
 * assert.match(f.message, /^Cannot render template page\.html:3 \(node "title"\):/);
 * ```
 */
export class TemplateRuntimeError extends Error {
  /** The template file holding the failing code. */
  readonly file: string;
  /** The 1-based template line, or 0 when it could not be told. */
  readonly line: number;
  /** The fill-template node, when the error happened filling one. */
  readonly node: string | undefined;

  /**
   * Creates the error.
   *
   * @param file The template file.
   * @param line The 1-based template line (0 when unknown).
   * @param options `cause`: the original error; `node`: the fill node.
   */
  constructor(file: string, line: number, options?: TemplateRuntimeErrorOptions) {
    const cause = options?.cause;
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const node = options?.node === undefined ? "" : ` (node ${JSON.stringify(options.node)})`;
    super(`Cannot render template ${file}${line > 0 ? `:${line}` : ""}${node}: ${what}`, {
      cause,
    });
    this.name = "TemplateRuntimeError";
    this.file = file;
    this.line = line;
    this.node = options?.node;
  }
}

/**
 * Thrown when a template name matches no file on the search path.
 *
 * @example
 * ```ts
 * import { TemplateNotFoundError } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const e = new TemplateNotFoundError("page", ["/srv/templates"]);
 * assert.equal(e.templateName, "page");
 * assert.match(e.message, /^Cannot find template "page"/);
 * ```
 */
export class TemplateNotFoundError extends Error {
  /** The name that was looked up. */
  readonly templateName: string;
  /** The directories that were searched. */
  readonly searchPath: readonly string[];

  /**
   * Creates the error.
   *
   * @param templateName The name that was looked up.
   * @param searchPath The directories that were searched.
   * @param options Standard error options (`cause`).
   */
  constructor(templateName: string, searchPath: readonly string[], options?: ErrorOptions) {
    super(
      `Cannot find template ${JSON.stringify(templateName)}: not in ${searchPath.join(", ")}`,
      options,
    );
    this.name = "TemplateNotFoundError";
    this.templateName = templateName;
    this.searchPath = searchPath;
  }
}

/**
 * Thrown when a value for a URL-taking attribute (`href`, `src`, …) uses a
 * refused scheme (`javascript:`, `vbscript:`, `data:` outside images), or when
 * an event-handler attribute (`on…`) is set from an untrusted value.
 *
 * @example Inspecting the refusal
 * ```ts
 * import { UnsafeUrlError } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const e = new UnsafeUrlError("href", "javascript:alert(1)");
 * assert.equal(e.name, "UnsafeUrlError");
 * assert.equal(e.attribute, "href");
 * assert.match(e.message, /^Cannot set attribute href/);
 * ```
 */
export class UnsafeUrlError extends Error {
  /** The attribute that refused the value. */
  readonly attribute: string;
  /** The refused value. */
  readonly value: string;

  /**
   * Creates the error.
   *
   * @param attribute The attribute name.
   * @param value The refused value.
   * @param options Standard error options (`cause`).
   */
  constructor(attribute: string, value: string, options?: ErrorOptions) {
    const shown = value.length > 60 ? value.slice(0, 57) + "..." : value;
    super(
      `Cannot set attribute ${attribute}: ${
        JSON.stringify(shown)
      } uses a refused scheme or is script; wrap it with trusted() if it is intended`,
      options,
    );
    this.name = "UnsafeUrlError";
    this.attribute = attribute;
    this.value = value;
  }
}
