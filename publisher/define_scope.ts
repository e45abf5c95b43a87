/**
 * {@linkcode defineScope}: what a `_config.ts` exports as `default`.
 *
 * @module
 */
import type { ScopeOptions } from "./scope.ts";
import { checkScopeOptions } from "./_layers.ts";

/** The default methods of a published function. */
export const DEFAULT_METHODS: readonly string[] = Object.freeze(["GET", "HEAD", "POST"]);

/**
 * Checks scope options and returns them, typed: the one thing a `_config.ts` exports.
 *
 * @example
 * ```ts
 * import { DEFAULT_METHODS, defineScope } from "@pubkit/publisher";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(DEFAULT_METHODS, ["GET", "HEAD", "POST"]);
 * const scope = defineScope({ realm: "Admin", access: { append: ["bob"] } });
 * assert.equal(scope.realm, "Admin");
 * assert.throws(() => defineScope({ relm: "typo" } as never), RangeError);
 * ```
 *
 * @param options The options.
 * @returns The same options.
 * @throws {RangeError} For an unknown key.
 * @throws {TypeError} For a value of the wrong type.
 */
export function defineScope(options: ScopeOptions): ScopeOptions {
  checkScopeOptions(options, "scope options");
  return options;
}
