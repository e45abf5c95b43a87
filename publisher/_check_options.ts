// The one unknown-option check of this package: options are checked at construction, and a
// misspelt key is an error rather than silently ignored.

/**
 * Throws a `RangeError` naming the first key of `options` that is not in `known`.
 *
 * @param options The options object.
 * @param known The keys allowed.
 * @param action What was being done, for the message: "Cannot <action>: unknown option "k"".
 */
export function checkOptionKeys(options: object, known: ReadonlySet<string>, action: string): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new RangeError(`Cannot ${action}: unknown option ${JSON.stringify(key)}`);
    }
  }
}
