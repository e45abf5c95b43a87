// Options validation shared by the constructors.

/**
 * Checks that an options object has only known keys.
 *
 * @param what The class being constructed, for the message.
 * @param options The options object.
 * @param known The allowed keys.
 */
export function _checkKeys(what: string, options: object, known: ReadonlySet<string>): void {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot construct ${what}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new RangeError(`Cannot construct ${what}: unknown option "${key}"`);
  }
}
