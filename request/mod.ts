/**
 * `@pubkit/request`: the request wrapper handed to every pubkit handler.
 *
 * {@linkcode Req} is the request (method, path, query, headers, cookies, form, body reader) and
 * the response being built (status, headers, cookies, streamed writes), with request-scoped
 * `data`, cleanups and internal redirects. {@linkcode respond} runs a handler and turns what it
 * returns into a `Response`; {@linkcode HttpError} is the one error with an HTTP status.
 *
 * The parsers for use without a `Req` (`parseForm`, `parseMultipart`, `parseQuery`, conditional
 * requests) are in `@pubkit/request/body`.
 *
 * ```ts
 * import { Req, respond } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const req = new Req(new Request("http://localhost/?name=Ada"));
 * const response = await respond(req, (req) => `Hello, ${req.query.get("name")}`);
 * assert.equal(await response.text(), "Hello, Ada");
 * ```
 *
 * @module
 */
export {
  type Dispatch,
  MAX_REDIRECT_DEPTH,
  type RedirectOptions,
  Req,
  type ReqOptions,
} from "./req.ts";
export { type Handler, respond, toResponse } from "./respond.ts";
export { HttpError, type HttpErrorOptions } from "./http_error.ts";
export { HeadersSentError } from "./headers_sent_error.ts";
export { Fields, type FieldValue } from "./fields.ts";
export { DEFAULT_FORM_LIMITS, type FormLimits } from "./form_limits.ts";
export { type CookieOptions, parseCookies, serializeCookie } from "./cookie.ts";
export { checkHeader, ResponseHeaders } from "./response_headers.ts";
export type { Cleanup } from "./request_chain.ts";
export { sendFile, type SendFileOptions } from "./send_file.ts";
export { BodyReader, type BodyReaderOptions } from "./body_reader.ts";
export {
  BodyDeadline,
  type BodyDeadlineOptions,
  type DeadlineClock,
  DEFAULT_BODY_DEADLINE,
} from "./body_deadline.ts";
export { BodyBudget, type BodyBudgetOptions, type ByteBudget } from "./body_budget.ts";
