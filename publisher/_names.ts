/**
 * The publish rules, in one place: which names and values may answer a URL.
 *
 * @module
 */

// Names that belong to every object or function: never routes, even when an author exports one.
const DENIED: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  "prototype",
  "constructor",
  "__proto__",
  "default",
  "then",
]);

// How `Function.prototype.toString` shows a built-in or bound function (ECMA-262
// NativeFunction syntax).
const NATIVE = /\{\s*\[native code\]\s*\}\s*$/;

/**
 * Whether a file, folder, export or member name may be a URL segment: not `_` or `.` first, not
 * a name every object has, NFKC-stable (so no look-alike can stand for it), and made of
 * letters, digits, `$`, `_`, `-` and `.` only.
 */
export function isPublicName(name: string): boolean {
  return !DENIED.has(name) &&
    /^[\p{L}\p{N}$][\p{L}\p{N}\p{M}$_.-]*$/u.test(name) &&
    name.normalize("NFKC") === name &&
    !name.includes("..");
}

/**
 * Whether `value` is a function that is not a class and not native code: a built-in
 * (`export const keys = Object.keys`) would hand the request to code that was never written for
 * a URL, and a bound function shows no source to tell either.
 */
export function isPublishableFunction(value: unknown): value is (...args: never[]) => unknown {
  if (typeof value !== "function") return false;
  let source: string;
  try {
    source = Function.prototype.toString.call(value);
  } catch {
    return false; // a revoked proxy or an exotic object: not ours to call
  }
  return !/^class\b/.test(source) && !NATIVE.test(source);
}

/**
 * Whether `value` is a plain object (prototype `Object.prototype` or `null`) and not a module
 * namespace or any object with a `Symbol.toStringTag`.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return !(Symbol.toStringTag in value);
}

/**
 * The published members of an exported plain object: own, enumerable, string-keyed data
 * properties whose value is a publishable function and whose name is public. Getters are never
 * run.
 */
export function publishedMembers(
  object: Record<string, unknown>,
): [string, (...args: never[]) => unknown][] {
  const members: [string, (...args: never[]) => unknown][] = [];
  for (const key of Object.keys(object)) {
    if (!isPublicName(key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (!descriptor || !("value" in descriptor) || !descriptor.enumerable) continue;
    if (isPublishableFunction(descriptor.value)) members.push([key, descriptor.value]);
  }
  return members;
}

/** The source extensions a module may have, in order of preference for the same name. */
export const MODULE_EXTENSIONS: readonly string[] = [".ts", ".tsx", ".mts", ".js", ".jsx", ".mjs"];

/** Splits `name.ext` for a module file; `undefined` for tests, declarations and other files. */
export function moduleBase(fileName: string): { base: string; ext: string } | undefined {
  if (/\.d\.[mc]?ts$/.test(fileName) || /[._]test\.[a-z]+$/.test(fileName)) return undefined;
  const ext = MODULE_EXTENSIONS.find((ext) => fileName.endsWith(ext));
  if (!ext || fileName.length === ext.length) return undefined;
  return { base: fileName.slice(0, -ext.length), ext };
}
