/**
 * `@pubkit/server`: composes the pubkit members into an application with one error boundary,
 * an access log, a lifecycle and a graceful stop.
 *
 * ```ts
 * import { createApp } from "@pubkit/server";
 * import { html } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * const app = createApp({
 *   handler: (req) => html`<h1>Hello, ${req.query.get("name")}</h1>`,
 *   accessLog: false,
 * });
 * const response = await app.fetch(new Request("http://localhost/?name=<b>"));
 * assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
 * assert.equal(await response.text(), "<h1>Hello, &lt;b&gt;</h1>");
 * await app.close();
 * ```
 *
 * @module
 */
export * from "./app.ts";
export * from "./app_req.ts";
export * from "./connection_guard.ts";
export * from "./error_response.ts";
export * from "./lifecycle.ts";
export * from "./security_headers.ts";
export * from "./static_files.ts";
export * from "./templates.ts";
export * from "./trust_proxy.ts";
