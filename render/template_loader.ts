/**
 * Resolves template names to files on a search path.
 *
 * @module
 */

import { isAbsolute, resolve, sep } from "node:path";
import { _checkKeys } from "./_check_keys.ts";
import { TemplateNotFoundError } from "./errors.ts";

/** Options for {@linkcode TemplateLoader}. */
export interface TemplateLoaderOptions {
  /** Directories searched in order; relative ones are resolved against the current directory. */
  searchPath: readonly string[];
  /** Appended to names that do not already end with it (default `".html"`). */
  extension?: string;
}

const LOADER_KEYS = new Set(["searchPath", "extension"]);

/**
 * Resolves template names (`"page"`, `"admin/users"`) to files in a list of
 * directories, first match wins. Names are confined to the directories: an
 * empty name, an absolute path, a `.` or `..` segment, a backslash or a NUL
 * is refused, so a name taken from a URL cannot reach other files.
 *
 * @example
 * ```ts
 * import { TemplateLoader, type TemplateLoaderOptions } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/page.html`, "<p>hi</p>");
 * const options: TemplateLoaderOptions = { searchPath: [dir] };
 * const loader = new TemplateLoader(options);
 * assert.equal(await loader.resolve("page"), `${dir}/page.html`);
 * await assert.rejects(() => loader.resolve("../etc/passwd"), TypeError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class TemplateLoader {
  #dirs: readonly string[];
  #extension: string;

  /**
   * Creates a loader.
   *
   * @param options The search path and extension.
   * @throws {RangeError} On an unknown option or an empty search path.
   * @throws {TypeError} When an option has the wrong type.
   */
  constructor(options: TemplateLoaderOptions) {
    _checkKeys("TemplateLoader", options, LOADER_KEYS);
    const { searchPath, extension = ".html" } = options;
    if (!Array.isArray(searchPath) || searchPath.some((d) => typeof d !== "string" || d === "")) {
      throw new TypeError("Cannot construct TemplateLoader: searchPath must be an array of paths");
    }
    if (searchPath.length === 0) {
      throw new RangeError("Cannot construct TemplateLoader: searchPath is empty");
    }
    if (typeof extension !== "string") {
      throw new TypeError("Cannot construct TemplateLoader: extension must be a string");
    }
    this.#dirs = Object.freeze(searchPath.map((d) => resolve(d)));
    this.#extension = extension;
  }

  /** The absolute search directories, in order. */
  get searchPath(): readonly string[] {
    return this.#dirs;
  }

  /**
   * Finds the file for a template name.
   *
   * @param name A relative name with `/` separators; the extension may be omitted.
   * @returns The absolute path of the first match.
   * @throws {TypeError} When the name is not confined to the search path.
   * @throws {TemplateNotFoundError} When no directory has the file.
   */
  async resolve(name: string): Promise<string> {
    checkName(name);
    const file = name.endsWith(this.#extension) ? name : name + this.#extension;
    for (const dir of this.#dirs) {
      const path = dir + sep + file;
      try {
        if ((await Deno.stat(path)).isFile) return path;
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) throw e;
      }
    }
    throw new TemplateNotFoundError(name, this.#dirs);
  }

  /**
   * Resolves a path written inside a template (an include) against the
   * including file, and checks that it stays inside a search directory.
   *
   * @param from The absolute path of the including file.
   * @param target The path as written (relative to `from`'s directory).
   * @returns The absolute path.
   * @throws {TypeError} When the result leaves every search directory, or has a NUL.
   */
  resolveRelative(from: string, target: string): string {
    if (target.includes("\0") || target === "" || isAbsolute(target)) {
      throw new TypeError(`Cannot include ${JSON.stringify(target)}: not a relative path`);
    }
    const path = resolve(from, "..", target);
    if (!this.#dirs.some((dir) => path.startsWith(dir + sep))) {
      throw new TypeError(`Cannot include ${JSON.stringify(target)}: outside the search path`);
    }
    return path;
  }
}

function checkName(name: string): void {
  if (typeof name !== "string" || name === "") {
    throw new TypeError("Cannot resolve template: the name is empty");
  }
  if (name.includes("\0") || name.includes("\\") || name.startsWith("/") || isAbsolute(name)) {
    throw new TypeError(`Cannot resolve template ${JSON.stringify(name)}: not a relative name`);
  }
  for (const segment of name.split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      throw new TypeError(
        `Cannot resolve template ${JSON.stringify(name)}: empty, "." or ".." segment`,
      );
    }
  }
}
