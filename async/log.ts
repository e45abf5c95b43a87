// Copyright 2025 the pubkit authors. MIT license.
/**
 * Where pubkit's members log: through LogTape under their own category when the application
 * has configured LogTape (a library never configures it itself), else to the console, so that
 * nobody's warnings vanish because nothing was configured.
 *
 * @module
 */
import { getConfig, getLogger } from "@logtape/logtape";

/** A member's log. */
export interface MemberLog {
  /** Logs a warning. */
  warn(message: string): void;
  /** Logs an error. */
  error(message: string): void;
}

/**
 * The log of the member whose category is `category` (e.g. `["pubkit", "pool"]`).
 *
 * @example
 * ```ts
 * import { memberLog } from "@pubkit/async/log";
 * import { configure, reset, type LogRecord } from "@logtape/logtape";
 * import assert from "node:assert/strict";
 *
 * const records: LogRecord[] = [];
 * await configure({
 *   sinks: { memory: (record) => records.push(record) },
 *   loggers: [{ category: ["pubkit"], sinks: ["memory"], lowestLevel: "info" }],
 * });
 * memberLog(["pubkit", "pool"]).warn("a {brace} stays text");
 * await reset();
 * assert.deepEqual(records[0].category, ["pubkit", "pool"]);
 * assert.equal(records[0].level, "warning");
 * assert.deepEqual(records[0].message, ["", "a {brace} stays text", ""]);
 * ```
 *
 * @param category The member's LogTape category.
 * @returns Its log.
 */
export function memberLog(category: readonly string[]): MemberLog {
  return {
    warn(message) {
      if (getConfig() === null) console.warn(message);
      else getLogger(category).warn("{message}", { message });
    },
    error(message) {
      if (getConfig() === null) console.error(message);
      else getLogger(category).error("{message}", { message });
    },
  };
}
