// The URL policy's internals, shared by safe_url.ts and the fill engine.
import { decodeHTML, decodeHTMLAttribute } from "entities";

/** Lowercase names of the attributes that take a URL. */
export const _URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  "action",
  "archive",
  "background",
  "cite",
  "classid",
  "codebase",
  "data",
  "dynsrc",
  "formaction",
  "href",
  "icon",
  "imagesrcset",
  "longdesc",
  "lowsrc",
  "manifest",
  "ping",
  "poster",
  "profile",
  "src",
  "srcset",
  "usemap",
  "xlink:href",
]);

const REFUSED_SCHEMES: ReadonlySet<string> = new Set(["javascript", "vbscript", "data"]);
const SCHEME = /^([a-z][a-z0-9+.\-]*):/;
// Browsers drop tabs and newlines anywhere in a URL and C0 controls/spaces at its ends;
// removing them everywhere is stricter and so never lets through what a browser would run.
// deno-lint-ignore no-control-regex
const IGNORED = /[\u0000-\u0020]+/g;

/**
 * Whether a lowercase attribute name takes a URL (internal fast path).
 *
 * @param lower Lowercase attribute name.
 * @returns `true` for URL attributes.
 */
export function _isUrlAttributeLower(lower: string): boolean {
  return _URL_ATTRIBUTES.has(lower);
}

function schemeRefused(candidate: string, allowImageData: boolean): boolean {
  const url = candidate.replace(IGNORED, "").toLowerCase();
  const match = SCHEME.exec(url);
  if (match === null || !REFUSED_SCHEMES.has(match[1])) return false;
  return !(allowImageData && match[1] === "data" && url.startsWith("data:image/"));
}

/**
 * The policy for a lowercase URL attribute name (internal: the fill engine
 * calls it after its own name checks).
 *
 * @param name Lowercase attribute name, known to take a URL.
 * @param value The value.
 * @param tag The element's tag name, lowercase.
 * @returns Whether the value may be used.
 */
export function _urlAllowed(name: string, value: string, tag: string | undefined): boolean {
  // A script's src (href in SVG) and a <base href> load code from wherever they point: no
  // value is safe there.
  if (tag === "script" || (tag === "base" && name === "href")) return false;
  // "/", "?" and "#" start relative URLs, and a character reference cannot replace them: the
  // common case, small enough for V8 to inline where the policy is called.
  const first = value.charCodeAt(0);
  if (
    (first === 47 || first === 63 || first === 35) && name !== "srcset" && name !== "imagesrcset"
  ) {
    return true;
  }
  return urlAllowedSlow(name, value, tag);
}

function urlAllowedSlow(name: string, value: string, tag: string | undefined): boolean {
  const srcset = name === "srcset" || name === "imagesrcset";
  // A scheme needs a colon, and only a character reference (`&colon;`, `&#58;`) could hide one.
  if (!value.includes(":") && !(value.includes("&") && /&(?:#|colon)/i.test(value))) return true;
  let decoded = value;
  // Decode repeatedly: refusing a double-encoded scheme costs nothing legitimate.
  for (let i = 0; i < 3 && decoded.includes("&"); i++) {
    const next = decodeHTML(decoded);
    if (next === decoded) break;
    decoded = next;
  }
  const allowImageData = tag?.toLowerCase() === "img" &&
    (name === "src" || name === "srcset");
  if (srcset) {
    for (const part of decoded.split(",")) {
      const url = part.trim().split(/[\t\n\f\r ]/, 1)[0];
      if (schemeRefused(url, allowImageData)) return false;
    }
    return true;
  }
  return !schemeRefused(decoded, allowImageData);
}

/**
 * The policy for an SVG animation value (`to`, `from`, `by`, `values` of `<animate>`,
 * `<set>`, …): an animation may target `href`, so every `;`-separated value is a URL.
 *
 * @param value The attribute value.
 * @returns Whether the value may be used.
 */
export function _animationAllowed(value: string): boolean {
  for (const part of value.split(";")) {
    if (!_urlAllowed("href", part.trim(), undefined)) return false;
  }
  return true;
}

// `<seconds>[;,] [url=]['"]<url>`, as browsers read a refresh (after character references).
const REFRESH =
  /^[\t\n\f\r ]*[\d.]*[\t\n\f\r ]*[;,]?[\t\n\f\r ]*(?:url[\t\n\f\r ]*=[\t\n\f\r ]*)?["']?/i;

const AFTER_SEPARATOR =
  /^[\t\n\f\r ]*[^;,\t\n\f\r ]*[\t\n\f\r ]*[;,]?[\t\n\f\r ]*(?:url[\t\n\f\r ]*=[\t\n\f\r ]*)?["']?/i;

/**
 * The policy for `<meta http-equiv="refresh" content="…">`: the URL after
 * the delay is a navigation target.
 *
 * @param content The whole content value.
 * @returns Whether the value may be used.
 */
export function _refreshAllowed(content: string): boolean {
  let decoded = content;
  for (let i = 0; i < 3 && decoded.includes("&"); i++) decoded = decodeHTML(decoded);
  // The delay as Chromium reads it may be any number (`+0`, `1e-9`): the URL after the first
  // separator (`;`, `,` or a space) is checked too.
  return _urlAllowed("href", decoded.replace(REFRESH, ""), undefined) &&
    _urlAllowed("href", decoded.replace(AFTER_SEPARATOR, ""), undefined);
}

/**
 * Whether a raw (undecoded) `http-equiv` value names a refresh, as a browser reads it: after
 * character references (`&#82;efresh`), ignoring case; surrounding whitespace is ignored too,
 * which a browser does not do (stricter, so never a refresh missed).
 *
 * @param raw The attribute value as written in the template.
 * @returns `true` for a refresh.
 */
export function _isRefresh(raw: string): boolean {
  return _decodeAttribute(raw).replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, "").toLowerCase() ===
    "refresh";
}

/**
 * A raw attribute value as the browser reads it (character references decoded, with the
 * attribute rules for a named reference without `;`).
 *
 * @param raw The value as written.
 * @returns The decoded value.
 */
export function _decodeAttribute(raw: string): string {
  return raw.includes("&") ? decodeHTMLAttribute(raw) : raw;
}
