/**
 * The error for a template name that resolves to no file.
 *
 * @module
 */

/**
 * Thrown when a template name matches no file on the search path.
 *
 * @example
 * ```ts
 * import { TemplateNotFoundError } from "@pubkit/render/template-not-found-error";
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
