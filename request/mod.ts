/**
 * `@pubkit/request`: the request wrapper handed to every pubkit handler.
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
export * from "./body_budget.ts";
export * from "./body_deadline.ts";
export * from "./body_reader.ts";
export * from "./conditional.ts";
export * from "./cookie.ts";
export * from "./fields.ts";
export * from "./form.ts";
export * from "./form_limits.ts";
export * from "./headers_sent_error.ts";
export * from "./http_error.ts";
export * from "./multipart.ts";
export * from "./req.ts";
export * from "./request_chain.ts";
export * from "./respond.ts";
export * from "./response_headers.ts";
export * from "./send_file.ts";
export * from "./urlencoded.ts";
