// Copyright 2025 the pubkit authors. MIT license.

/**
 * Thrown when a session store cannot be reached (for example Redis is down).
 *
 * A server maps it to `503 Service Unavailable`. Stores raise it quickly instead of
 * hanging, and keep reconnecting in the background so that sessions work again as soon
 * as the backend is back.
 *
 * @example Recognising the error
 * ```ts
 * import { StoreUnavailableError } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const error = new StoreUnavailableError("load session", new Error("ECONNREFUSED"));
 * assert.equal(error.name, "StoreUnavailableError");
 * assert.match(error.message, /^Cannot load session: /);
 * ```
 */
export class StoreUnavailableError extends Error {
  /**
   * Creates a store-unavailable error.
   *
   * @param action What could not be done, for the message ("load session").
   * @param cause The underlying error.
   */
  constructor(action: string, cause?: unknown) {
    super(
      `Cannot ${action}: the session store is unavailable` +
        (cause instanceof Error ? ` (${cause.message})` : ""),
      cause === undefined ? undefined : { cause },
    );
    this.name = "StoreUnavailableError";
  }
}
