/**
 * The error for a template that fails while rendering.
 *
 * @module
 */

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
 * import { TemplateRuntimeError } from "@pubkit/render/template-runtime-error";
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
