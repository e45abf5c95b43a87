// The few path and file-URL operations the publisher needs, without `node:path` and `node:url`:
// their first import makes Deno start its Node.js layer, which costs a cold start about 20 ms of
// CPU. Paths here are absolute, as the scanner's real paths are; results match `node:path`'s
// and `node:url`'s for them (`_fs_path_test.ts` compares them on POSIX).

const WINDOWS = Deno.build.os === "windows";

/** The platform's path separator. */
export const SEPARATOR: string = WINDOWS ? "\\" : "/";
const SEPARATORS = WINDOWS ? /[\\/]+/ : /\/+/;

/** Whether a path is absolute (on Windows: with a drive or a UNC prefix). */
function isAbsolute(path: string): boolean {
  return WINDOWS ? /^(?:[A-Za-z]:)?[\\/]/.test(path) : path.startsWith("/");
}

/** The root part of an absolute path ("/", "C:\", "\\server\share\") and the rest. */
function splitRoot(path: string): [string, string] {
  if (!WINDOWS) return ["/", path.replace(/^\/+/, "")];
  const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)[\\/]*/.exec(path);
  if (unc) return [`\\\\${unc[1]}\\${unc[2]}\\`, path.slice(unc[0].length)];
  const drive = /^([A-Za-z]:)?[\\/]*/.exec(path)!;
  return [`${drive[1] ?? ""}\\`, path.slice(drive[0].length)];
}

/** `path` with `.` and `..` resolved, repeated and trailing separators removed. */
function normalize(path: string): string {
  const [root, rest] = splitRoot(path);
  const parts: string[] = [];
  for (const part of rest.split(SEPARATORS)) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return root + parts.join(SEPARATOR);
}

/**
 * `name` inside the folder `dir`.
 *
 * @param dir An absolute folder.
 * @param name A relative path.
 * @returns The joined path.
 */
export function join(dir: string, name: string): string {
  return normalize(`${dir}${SEPARATOR}${name}`);
}

/**
 * `entry` resolved against the folder `dir` (an absolute `entry` stays itself).
 *
 * @param dir An absolute folder.
 * @param entry A relative or absolute path.
 * @returns The absolute, normalized path.
 */
export function resolve(dir: string, entry: string): string {
  return normalize(isAbsolute(entry) ? entry : `${dir}${SEPARATOR}${entry}`);
}

/**
 * The folder of `path`.
 *
 * @param path An absolute path.
 * @returns Its parent folder (the root for the root).
 */
export function dirname(path: string): string {
  const normalized = normalize(path);
  const [root, rest] = splitRoot(normalized);
  const last = rest.lastIndexOf(SEPARATOR);
  return last === -1 ? root : root + rest.slice(0, last);
}

/**
 * The path from the folder `from` to `to`, with `..` parts when `to` is outside it.
 *
 * @param from An absolute folder.
 * @param to An absolute path.
 * @returns The relative path ("" when they are the same).
 */
export function relative(from: string, to: string): string {
  const [fromRoot, fromRest] = splitRoot(normalize(from));
  const [toRoot, toRest] = splitRoot(normalize(to));
  const same = WINDOWS
    ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
    : (a: string, b: string) => a === b;
  if (!same(fromRoot, toRoot)) return normalize(to);
  const a = fromRest === "" ? [] : fromRest.split(SEPARATOR);
  const b = toRest === "" ? [] : toRest.split(SEPARATOR);
  let common = 0;
  while (common < a.length && common < b.length && same(a[common], b[common])) common++;
  return [...Array(a.length - common).fill(".."), ...b.slice(common)].join(SEPARATOR);
}

/**
 * The `file:` URL of an absolute path, escaped as `pathToFileURL()` of `node:url` does.
 *
 * @param path An absolute path.
 * @returns The URL.
 */
export function toFileUrl(path: string): URL {
  const url = new URL("file:///");
  let [root, rest] = splitRoot(normalize(path));
  if (WINDOWS && root.startsWith("\\\\")) {
    const [host, share] = root.slice(2).split("\\");
    url.hostname = host;
    root = `/${share}/`;
  } else if (WINDOWS) {
    root = `/${root.slice(0, -1)}/`;
  }
  const escaped = rest.replaceAll("%", "%25").replaceAll("\n", "%0A").replaceAll("\r", "%0D")
    .replaceAll("\t", "%09")
    // A first part such as `C|` would read as a Windows drive letter.
    .replace(/^([A-Za-z])\|/, "$1%7C");
  url.pathname = root + (WINDOWS ? escaped.replaceAll("\\", "/") : escaped.replaceAll("\\", "%5C"));
  return url;
}

/**
 * The absolute path of a `file:` URL.
 *
 * @param url A `file:` URL.
 * @returns The path.
 * @throws {TypeError} When it is not a `file:` URL, or names a host or an encoded separator
 *   where the platform has none.
 */
export function fromFileUrl(url: URL | string): string {
  const parsed = typeof url === "string" ? new URL(url) : url;
  if (parsed.protocol !== "file:") {
    throw new TypeError(`Cannot read ${parsed.href}: not a file URL`);
  }
  if (/%2f/i.test(parsed.pathname) || (WINDOWS && /%5c/i.test(parsed.pathname))) {
    throw new TypeError(`Cannot read ${parsed.href}: it encodes a path separator`);
  }
  const path = decodeURIComponent(parsed.pathname);
  if (!WINDOWS) {
    if (parsed.hostname !== "") throw new TypeError(`Cannot read ${parsed.href}: it names a host`);
    return path;
  }
  const local = path.replaceAll("/", "\\");
  return parsed.hostname !== "" ? `\\\\${parsed.hostname}${local}` : local.slice(1);
}
