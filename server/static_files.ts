/**
 * Static files with validators, confined to one folder.
 *
 * @module
 */
import { HttpError, type Req, sendFile } from "@pubkit/request";

/** Options for {@linkcode staticFiles}. */
export interface StaticFilesOptions {
  /** The URL prefix the files are served under, e.g. `"/static/"`. */
  prefix: string;
  /** The folder; nothing outside it (after resolving symlinks) is ever served. */
  dir: string | URL;
  /** `Cache-Control` value; `"public, max-age=0, must-revalidate"` by default. */
  cacheControl?: string;
}

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  html: "text/html; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  json: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  woff2: "font/woff2",
};

/** Serves one static file request; `undefined` when the path is not under the prefix. */
export type StaticHandler = (req: Req) => Promise<Response | undefined>;

/**
 * Creates a handler for static files under a URL prefix, with `ETag` and `Last-Modified`,
 * `304 Not Modified` answers and single `Range` requests (206, 416), through
 * {@linkcode sendFile}. Paths are decoded strictly, dot-files and `..` are refused, and
 * the resolved real path must stay inside the folder, so symlinks cannot leak other files.
 *
 * @example
 * ```ts
 * import { staticFiles } from "@pubkit/server";
 * import { Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/site.css`, "body { margin: 0 }");
 * const serve = staticFiles({ prefix: "/static/", dir });
 * const response = await serve(new Req(new Request("http://localhost/static/site.css")));
 * assert.equal(response?.headers.get("content-type"), "text/css; charset=utf-8");
 * const etag = response!.headers.get("etag")!;
 * await response!.body?.cancel();
 * const again = await serve(new Req(new Request("http://localhost/static/site.css", {
 *   headers: { "if-none-match": etag },
 * })));
 * assert.equal(again?.status, 304);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param options The prefix, the folder and the cache policy.
 * @returns The handler.
 * @throws {TypeError} When the prefix does not start and end with `/`.
 */
export function staticFiles(options: StaticFilesOptions): StaticHandler {
  const { prefix, cacheControl = "public, max-age=0, must-revalidate" } = options;
  if (!prefix.startsWith("/") || !prefix.endsWith("/")) {
    throw new TypeError(`Cannot serve static files under ${prefix}: the prefix must be /.../`);
  }
  const dir = typeof options.dir === "string" ? options.dir : pathOf(options.dir);
  let root: Promise<string> | undefined;
  return async (req) => {
    if (!req.path.startsWith(prefix)) return undefined;
    if (req.method !== "GET" && req.method !== "HEAD") {
      throw new HttpError(405, `Cannot ${req.method} a static file: use GET or HEAD`, {
        headers: { allow: "GET, HEAD" },
      });
    }
    const segments = req.path.slice(prefix.length).split("/").map(decodeSegment);
    if (segments.some((s) => s === "" || s.startsWith("."))) throw new HttpError(404, "Not found");
    root ??= Deno.realPath(dir);
    const base = await root;
    let path: string;
    let info: Deno.FileInfo;
    try {
      path = await Deno.realPath(`${base}/${segments.join("/")}`);
      info = await Deno.stat(path);
    } catch {
      throw new HttpError(404, "Not found");
    }
    // Checked again after resolution: a symlink may lead to a dot-file or a dot-folder.
    if (!path.startsWith(`${base}/`) || !info.isFile || hasHiddenPart(path.slice(base.length))) {
      throw new HttpError(404, "Not found");
    }
    req.responseHeaders.set("cache-control", cacheControl);
    req.responseHeaders.set("x-content-type-options", "nosniff");
    req.contentType = TYPES[path.slice(path.lastIndexOf(".") + 1).toLowerCase()] ??
      "application/octet-stream";
    return sendFile(req, path);
  };
}

/**
 * One percent-decoded path segment. A decoded `/`, `\` or control character would change how the
 * joined path splits into names (`sub%2f..%2f.env` is `.env`): a 400, like an invalid encoding.
 */
function decodeSegment(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "Cannot read the path: it has invalid percent-encoding");
  }
  // deno-lint-ignore no-control-regex -- control characters are exactly what is refused
  if (/[\/\\\x00-\x1f\x7f]/.test(decoded)) {
    throw new HttpError(
      400,
      "Cannot read the path: a segment holds an encoded slash, backslash or control character",
    );
  }
  return decoded;
}

/** Whether a path relative to the root (`/a/.git/config`) has a part starting with `.`. */
function hasHiddenPart(relative: string): boolean {
  return relative.includes("/.");
}

/** The path of a `file:` URL, percent-decoded (a space is `%20` in the URL, not in the path). */
function pathOf(url: URL): string {
  if (url.protocol !== "file:") {
    throw new TypeError(`Cannot serve static files from ${url.href}: give a path or a file: URL`);
  }
  return decodeURIComponent(url.pathname);
}
