/**
 * {@linkcode Fields}: a parsed form (query string, urlencoded or multipart body).
 *
 * @module
 */

/** One form value: text, or an uploaded file (a web `File`). */
export type FieldValue = string | File;

/**
 * A parsed form: ordered, multi-valued, and free of prototype traps.
 *
 * Names such as `__proto__`, `constructor` or `toString` are ordinary keys: values live in a
 * `Map` and {@linkcode Fields.toObject} builds a null-prototype record, so no input can reach
 * `Object.prototype`. An uploaded file is a web `File`; its `name` is the filename the client
 * sent, kept only as data (never use it as a path).
 *
 * @example Read single and repeated values
 * ```ts
 * import { type FieldValue, Fields } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const fields = new Fields([["tag", "a"], ["name", "Ada"], ["tag", "b"]]);
 * const name: FieldValue | undefined = fields.get("name");
 * assert.equal(name, "Ada");
 * assert.deepEqual(fields.getAll("tag"), ["a", "b"]);
 * assert.equal(fields.size, 3);
 * assert.deepEqual([...fields.keys()], ["tag", "name"]);
 * ```
 *
 * @example Destructure with defaults
 * ```ts
 * import { type FieldValue, Fields } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const record = new Fields([["__proto__", "x"]]).toObject();
 * const { name = "world", __proto__: proto } = record as Record<string, FieldValue>;
 * assert.equal(name, "world");
 * assert.equal(proto, "x");
 * assert.equal(Object.getPrototypeOf(record), null);
 * ```
 */
export class Fields implements Iterable<[string, FieldValue]> {
  #entries: [string, FieldValue][] = [];
  #byName = new Map<string, FieldValue[]>();

  /**
   * Creates a form from `[name, value]` pairs, kept in order.
   *
   * @param entries The pairs; a name may repeat.
   * @throws {TypeError} When a name is not a string or a value is neither a string nor a `File`.
   */
  constructor(entries: Iterable<readonly [string, FieldValue]> = []) {
    for (const entry of entries) {
      const [name, value] = entry;
      if (typeof name !== "string") {
        throw new TypeError(`Cannot create Fields: a field name is a ${typeof name}, not a string`);
      }
      if (typeof value !== "string" && !(value instanceof File)) {
        throw new TypeError(
          `Cannot create Fields: the value of ${
            JSON.stringify(name)
          } is neither a string nor a File`,
        );
      }
      this.#entries.push([name, value]);
      const values = this.#byName.get(name);
      if (values === undefined) this.#byName.set(name, [value]);
      else values.push(value);
    }
  }

  /** The number of `[name, value]` pairs (a repeated name counts once per value). */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Returns the first value of `name`.
   *
   * @param name The field name.
   * @returns The first value, or `undefined` when the form has no such field.
   */
  get(name: string): FieldValue | undefined {
    return this.#byName.get(name)?.[0];
  }

  /**
   * Returns every value of `name`, in order.
   *
   * @param name The field name.
   * @returns A new array, empty when the form has no such field.
   */
  getAll(name: string): FieldValue[] {
    return [...(this.#byName.get(name) ?? [])];
  }

  /**
   * Tells whether the form has a field called `name`.
   *
   * @param name The field name.
   * @returns `true` when at least one value has that name.
   */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * Iterates over the field names, each once, in order of first appearance.
   *
   * @returns An iterator of names.
   */
  keys(): IterableIterator<string> {
    return this.#byName.keys();
  }

  /**
   * Iterates over every `[name, value]` pair, in order.
   *
   * @returns An iterator of pairs (fresh arrays, safe to keep).
   */
  *entries(): IterableIterator<[string, FieldValue]> {
    for (const [name, value] of this.#entries) yield [name, value];
  }

  /**
   * Iterates over every `[name, value]` pair, in order (same as {@linkcode Fields.entries}).
   *
   * @returns An iterator of pairs.
   */
  [Symbol.iterator](): IterableIterator<[string, FieldValue]> {
    return this.entries();
  }

  /**
   * Returns a null-prototype record: a name with one value maps to the value, a repeated name
   * to an array of its values in order.
   *
   * @returns A new record, safe to destructure (`({ name = "world" }) => …`).
   */
  toObject(): Record<string, FieldValue | FieldValue[]> {
    // Small enough for the JIT to inline: the common empty query costs no call and no iterator.
    return this.#byName.size === 0 ? Object.create(null) : this.#toRecord();
  }

  #toRecord(): Record<string, FieldValue | FieldValue[]> {
    const record: Record<string, FieldValue | FieldValue[]> = Object.create(null);
    for (const [name, values] of this.#byName) {
      // defineProperty, not assignment: even on a null-prototype object it never runs a setter.
      Object.defineProperty(record, name, {
        value: values.length === 1 ? values[0] : [...values],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return record;
  }
}
