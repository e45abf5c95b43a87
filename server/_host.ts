// Internal: the request's host, checked before anything builds a URL or a link from it.
import { HttpError } from "@pubkit/request";

// A DNS name or IPv4 address (letters, digits, `-`, `_`, dots) or a bracketed IPv6 address, then
// an optional port. Deno passes on any Host, including those `URL` refuses (`a%b`, `[1`, `::`)
// or reads differently (`a\b` is host `a` with path `/b`).
const HOST = /^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;
// A name whose last label starts with a digit is an IPv4 address to `URL` (which may refuse it).
const NUMERIC_END = /(?:^|\.)\d[^.]*\.?$/;
const DOTTED_QUAD =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const PUNYCODE = /(?:^|\.)xn--/i;
const ENTRY = /^(?:\.?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*|\[[0-9A-Fa-f:.]+\])$/;

/** The authority (host and port) of a serialized `http:` or `https:` URL as Deno builds it. */
export function authorityOf(href: string): string {
  const start = href.indexOf("//") + 2;
  const end = href.indexOf("/", start);
  return href.slice(start, end < 0 ? href.length : end);
}

/**
 * Throws a 400 unless the request's authority (from {@linkcode authorityOf}) is a well-formed
 * host that `URL` accepts, was sent (for an HTTP/1.1 request without `Host`, Deno makes up
 * `localhost:<port>`; `served` is the request when it came from a server), and is one of
 * `allowed` when that is given.
 */
export function checkHost(
  authority: string,
  served: Request | undefined,
  allowed: readonly string[] | undefined,
): void {
  const match = HOST.exec(authority);
  if (match === null || !validHost(authority, match[1], match[2])) {
    throw new HttpError(
      400,
      `Cannot handle the request: its host ${JSON.stringify(authority)} is not a valid host`,
    );
  }
  // Served requests only (headers given), read only when Deno may have made the authority up
  // (it does for a missing or empty Host).
  if (served !== undefined && authority.startsWith("localhost") && !served.headers.get("host")) {
    throw new HttpError(400, "Cannot handle the request: it has no Host header");
  }
  if (allowed === undefined) return;
  const host = match[1].toLowerCase().replace(/\.$/, "");
  const ok = allowed.some((entry) =>
    entry.startsWith(".") ? host === entry.slice(1) || host.endsWith(entry) : host === entry
  );
  if (!ok) {
    throw new HttpError(
      400,
      `Cannot handle the request: host ${JSON.stringify(host)} is not an allowed host`,
    );
  }
}

function validHost(authority: string, host: string, port: string | undefined): boolean {
  if (port !== undefined && Number(port) > 65535) return false;
  // Plain names pass without a parse, except numeric-looking ones and punycode labels (`xn--`),
  // which `URL` decodes and may refuse (`xn--zz`): such a host would fail every later `req.url`.
  if (
    !host.startsWith("[") && (!NUMERIC_END.test(host) || DOTTED_QUAD.test(host)) &&
    !PUNYCODE.test(host)
  ) return true;
  try {
    new URL(`http://${authority}/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * The `allowedHosts` option, checked and lower-cased: host names without port, a leading `.`
 * for a domain and all its subdomains, or bracketed IPv6 addresses.
 */
export function allowedHostsOption(hosts: readonly string[] | undefined): string[] | undefined {
  if (hosts === undefined) return undefined;
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new TypeError("Cannot create app: allowedHosts must be a non-empty array of host names");
  }
  return hosts.map((host) => {
    if (typeof host !== "string" || !ENTRY.test(host)) {
      throw new RangeError(
        `Cannot create app: allowedHosts entry ${JSON.stringify(host)} is not a host name`,
      );
    }
    return host.toLowerCase();
  });
}
