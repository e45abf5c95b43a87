/**
 * Rendering for pubkit: an embedded-code engine (`<% %>`), a fill-the-marked-nodes
 * engine (plain HTML with `data-node` markers), one escaping function and a URL policy
 * for attributes.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "@pubkit/render";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeHtml("<b>"), "&lt;b&gt;");
 * ```
 *
 * @module
 */
export * from "./escape_html.ts";
export * from "./html.ts";
export * from "./escape_value.ts";
export * from "./trusted.ts";
export * from "./url_attributes.ts";
export * from "./is_safe_url.ts";
export * from "./safe_url.ts";
export * from "./unsafe_url_error.ts";
export * from "./template_syntax_error.ts";
export * from "./template_runtime_error.ts";
export * from "./template_not_found_error.ts";
export * from "./template_loader.ts";
export * from "./embedded_engine.ts";
export * from "./fill_node.ts";
export * from "./fill_template.ts";
export * from "./fill_engine.ts";
