// The one unknown-option check of the pool's constructors and methods.

/**
 * Throws when `options` has a key that is not in `known`.
 *
 * @param action What is being done, for the message ("create pool").
 * @param options The options object (an object: callers check that first).
 * @param known The allowed keys.
 * @throws {RangeError} `Cannot <action>: unknown option "<key>"`.
 */
export function checkKeys(action: string, options: object, known: ReadonlySet<string>): void {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new RangeError(`Cannot ${action}: unknown option "${key}"`);
  }
}
