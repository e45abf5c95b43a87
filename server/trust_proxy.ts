/**
 * `TrustProxy`: which peers may tell the app the client's address and scheme.
 *
 * @module
 */
import { ipVersion } from "./_ip.ts";

/**
 * The proxies an app trusts (`createApp({ trustProxy })`): only a request whose TCP peer is
 * one of them has its `X-Forwarded-For` and `X-Forwarded-Proto` read. From anyone else these
 * headers are ignored, so a client cannot claim another address or https.
 *
 * `X-Forwarded-For` is read from the right: each trusted proxy appends the address it saw, so
 * the client is the rightmost address that is not itself a trusted proxy. `X-Forwarded-Proto`
 * is read from the right too (the value the nearest proxy set).
 *
 * @example Behind one proxy on the same host
 * ```ts
 * import { TrustProxy } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const proxies = new TrustProxy(["127.0.0.1"]);
 * const headers = new Headers({
 *   "x-forwarded-for": "10.9.9.9, 203.0.113.7",
 *   "x-forwarded-proto": "https",
 * });
 * assert.equal(proxies.clientAddress("127.0.0.1", headers), "203.0.113.7");
 * assert.equal(proxies.https("127.0.0.1", headers), true);
 * // The same headers from a peer that is not a trusted proxy are ignored.
 * assert.equal(proxies.clientAddress("198.51.100.1", headers), "198.51.100.1");
 * assert.equal(proxies.https("198.51.100.1", headers), false);
 * ```
 */
export class TrustProxy {
  #trusted: ReadonlySet<string>;

  /**
   * Names the trusted proxies.
   *
   * @param addresses IPv4 or IPv6 addresses of the proxies (exact addresses, no ranges).
   * @throws {RangeError} For an entry that is not an IP address.
   */
  constructor(addresses: readonly string[]) {
    if (!Array.isArray(addresses)) {
      throw new RangeError("Cannot create app: trustProxy must be an array of IP addresses");
    }
    for (const address of addresses) {
      if (typeof address !== "string" || ipVersion(address) === 0) {
        throw new RangeError(
          `Cannot create app: trustProxy entry ${JSON.stringify(address)} is not an IP address`,
        );
      }
    }
    this.#trusted = new Set(addresses.map(normalize));
  }

  /** Whether any proxy is trusted. */
  get enabled(): boolean {
    return this.#trusted.size > 0;
  }

  /**
   * Whether `address` is a trusted proxy.
   *
   * @param address An IP address.
   * @returns `true` if it was named.
   */
  trusts(address: string): boolean {
    return this.#trusted.has(normalize(address));
  }

  /**
   * The client's address: from `X-Forwarded-For` when `peer` is trusted, else `peer`.
   *
   * @param peer The TCP peer's address.
   * @param headers The request headers.
   * @returns The client's address.
   */
  clientAddress(peer: string, headers: Headers): string {
    if (!this.trusts(peer)) return peer;
    const header = headers.get("x-forwarded-for");
    if (!header) return peer;
    const hops = header.split(",");
    let nearest = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim().replace(/^\[(.*)\]$/, "$1");
      // A malformed hop ends the chain: the last address known good is the answer.
      if (ipVersion(hop) === 0) return nearest;
      if (!this.trusts(hop)) return hop;
      nearest = hop;
    }
    return nearest;
  }

  /**
   * Whether the client used https, per `X-Forwarded-Proto`, when `peer` is trusted.
   *
   * @param peer The TCP peer's address.
   * @param headers The request headers.
   * @returns `true` only for a trusted peer that forwarded `https`.
   */
  https(peer: string, headers: Headers): boolean {
    if (!this.trusts(peer)) return false;
    const header = headers.get("x-forwarded-proto");
    if (!header) return false;
    return header.slice(header.lastIndexOf(",") + 1).trim().toLowerCase() === "https";
  }
}

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) compares as its IPv4 address. */
function normalize(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && ipVersion(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}
