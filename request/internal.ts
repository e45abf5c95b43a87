/**
 * `@pubkit/request/internal`: what a server needs of a `Req` beyond its documented API — ending
 * the response, hearing its commit, telling the response a request built from one a handler
 * made, the request chain and its cleanups, the headers of an error response.
 *
 * This is framework plumbing for `@pubkit/publisher` and `@pubkit/server`, kept off the
 * documented API (as Fresh keeps its `./internal`): applications do not need it, and it may
 * change in any release.
 *
 * @example
 * ```ts
 * import { Req } from "@pubkit/request";
 * import { errorResponseHeaders, requestChain } from "@pubkit/request/internal";
 * import assert from "node:assert/strict";
 *
 * const req = new Req(new Request("http://localhost/"), { id: "req-1" });
 * req.errorHeaders.set("retry-after", "5");
 * assert.equal(errorResponseHeaders(req).get("retry-after"), "5");
 * assert.equal(requestChain(req).id, "req-1");
 * ```
 *
 * @module
 */
export {
  abortResponse,
  builtResponse,
  endResponse,
  errorResponseHeaders,
  hasCleanups,
  onCommit,
  requestChain,
  streamedResponse,
} from "./req.ts";
export { type Cleanup, RequestChain, type RequestChainOptions } from "./request_chain.ts";
