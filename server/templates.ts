/**
 * The app's template engines, one pair per template search path. `@pubkit/render` (and its
 * HTML parser) is imported on the first use, so that an app without templates never loads it.
 *
 * @module
 */
import type { EmbeddedEngine, FillEngine } from "@pubkit/render";

/** Options for {@linkcode Templates}. */
export interface TemplatesOptions {
  /** Recompile a template when it or a file it includes changes (development). */
  dev?: boolean;
  /** How many compiled templates each engine keeps; 100 by default. */
  cacheSize?: number;
}

/** Both engines over one search path. */
export interface TemplateEngines {
  /** `<% %>` templates (`.ehtml`). */
  embedded: EmbeddedEngine;
  /** Plain HTML with marked nodes (`.html`). */
  fill: FillEngine;
}

/**
 * Keeps the engines of each template search path: folders with the same search path share
 * compiled templates, and each engine's cache is bounded.
 *
 * @example
 * ```ts
 * import { Templates } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/hi.ehtml`, "<p><%= it.name %></p>");
 * const templates = new Templates();
 * const { embedded } = await templates.for([dir]);
 * assert.equal(await embedded.render("hi", { name: "<Ada>" }), "<p>&lt;Ada&gt;</p>");
 * assert.equal((await templates.for([dir])).embedded, embedded);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class Templates {
  #options: TemplatesOptions;
  #engines = new Map<string, TemplateEngines>();
  #render: Promise<typeof import("@pubkit/render")> | undefined;

  /**
   * Creates the registry.
   *
   * @param options Dev mode and cache size for every engine.
   */
  constructor(options: TemplatesOptions = {}) {
    this.#options = options;
  }

  /**
   * The engines for a search path, created on first use (the first call imports
   * `@pubkit/render`).
   *
   * @param searchPath Absolute directories, searched in order.
   * @returns Both engines.
   * @throws {TypeError} When the search path is empty.
   */
  async for(searchPath: readonly string[]): Promise<TemplateEngines> {
    if (searchPath.length === 0) {
      throw new TypeError(
        "Cannot render: no template search path; set templates in the folder's _config.ts",
      );
    }
    const key = searchPath.join("\0");
    let engines = this.#engines.get(key);
    if (!engines) {
      const { EmbeddedEngine, FillEngine } = await (this.#render ??= import("@pubkit/render"));
      engines = this.#engines.get(key); // another call may have made them meanwhile
      if (!engines) {
        const options = { searchPath, ...this.#options };
        engines = { embedded: new EmbeddedEngine(options), fill: new FillEngine(options) };
        this.#engines.set(key, engines);
      }
    }
    return engines;
  }
}
