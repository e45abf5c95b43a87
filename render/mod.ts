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
export { escapeHtml } from "./escape_html.ts";
export { Html, html, HTML_MARK } from "./html.ts";
export { escapeValue } from "./escape_value.ts";
export { Trusted, trusted } from "./trusted.ts";
export { isScriptAttribute, isUrlAttribute } from "./url_attributes.ts";
export { isSafeUrl, type SafeUrlOptions } from "./is_safe_url.ts";
export { safeUrl } from "./safe_url.ts";
export {
  type TemplateLocation,
  TemplateNotFoundError,
  TemplateRuntimeError,
  type TemplateRuntimeErrorOptions,
  TemplateSyntaxError,
  UnsafeUrlError,
} from "./errors.ts";
export { TemplateLoader, type TemplateLoaderOptions } from "./template_loader.ts";
export { EmbeddedEngine, type EmbeddedEngineOptions, type RefusedUrl } from "./embedded_engine.ts";
export { type FillData, FillNode, type FillValue } from "./fill_node.ts";
export { FillTemplate, type FillTemplateOptions } from "./fill_template.ts";
export { FillEngine, type FillEngineOptions, type FillFunction } from "./fill_engine.ts";
