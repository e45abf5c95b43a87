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
export {
  App,
  type AppHandler,
  type AppLogOptions,
  type AppOptions,
  createApp,
  type PublishFolderOptions,
  type ServeOptions,
} from "./app.ts";
export { AppReq, type AppServices, type OpenSessionOptions } from "./app_req.ts";
export { createDefine, type Define, type DefinedFunction } from "./define.ts";
export { errorResponse, type ErrorResponseOptions } from "./error_response.ts";
export {
  Lifecycle,
  type LifecycleHook,
  type LifecycleOptions,
  type ServerCleanup,
  StartupError,
} from "./lifecycle.ts";
export {
  DEFAULT_SECURITY_HEADERS,
  layerSecurityHeaders,
  type SecurityHeaders,
} from "./security_headers.ts";
export { staticFiles, type StaticFilesOptions, type StaticHandler } from "./static_files.ts";
export { type TemplateEngines, Templates, type TemplatesOptions } from "./templates.ts";
export { TrustProxy } from "./trust_proxy.ts";
export { ConnectionGuard, type ConnectionGuardOptions } from "./connection_guard.ts";
export {
  ACCESS_LOG_CATEGORY,
  type AccessLogProperties,
  AccessRecord,
  type LogLevel,
  type LogRecord,
  SERVER_CATEGORY,
  type Sink,
} from "./access_log.ts";
export {
  type BufferedSink,
  bufferedSink,
  type BufferedSinkOptions,
  type LogWriter,
} from "./buffered_sink.ts";
export { formatLogRecord } from "./_log_format.ts";
