/**
 * pubkit: mod_python's programming model for Deno, with its known problems fixed.
 *
 * This module re-exports the public API of the members: `@pubkit/async`, `@pubkit/request`,
 * `@pubkit/publisher`, `@pubkit/session`, `@pubkit/pool`, `@pubkit/render` and
 * `@pubkit/server`.
 *
 * @example
 * ```ts
 * import { createApp } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const app = createApp({ handler: () => "<p>hi</p>", accessLog: false });
 * const response = await app.fetch(new Request("http://localhost/"));
 * assert.equal(await response.text(), "<p>hi</p>");
 * await app.close();
 * ```
 *
 * @module
 */
export * from "@pubkit/async";
export * from "@pubkit/request";
export * from "@pubkit/publisher";
export * from "@pubkit/session";
export * from "@pubkit/pool";
export * from "@pubkit/pool/sqlite";
export * from "@pubkit/pool/postgres";
export * from "@pubkit/render";
export * from "@pubkit/server";
