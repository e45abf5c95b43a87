// Copyright 2025 the pubkit authors. MIT license.

/** 32 random bytes in unpadded base64url are exactly 43 characters. */
const ID_LENGTH = 43;

/** Creates a new 256-bit session id, base64url without padding. */
export function newId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Whether `id` has the shape of a session id (checked before any path or key use). */
export function isId(id: unknown): id is string {
  // A loop rather than /^[A-Za-z0-9_-]{43}$/: ids are checked several times per request.
  if (typeof id !== "string" || id.length !== ID_LENGTH) return false;
  for (let i = 0; i < ID_LENGTH; i++) {
    const c = id.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) ||
      c === 45 || c === 95; // a-z A-Z 0-9 - _
    if (!ok) return false;
  }
  return true;
}

/** Throws `TypeError` unless `id` has the shape of a session id. */
export function checkId(id: unknown, action: string): string {
  if (!isId(id)) {
    throw new TypeError(`Cannot ${action}: not a valid session id`);
  }
  return id;
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

/** How many verified cookie values a signer remembers. */
const VERIFIED_CACHE = 10_000;

/** Signs and verifies cookie values `<id>.<hmac>` with a list of secrets. */
export class CookieSigner {
  #keys: Promise<CryptoKey[]>;
  // Cookie values that verified, so that a returning visitor costs a Map lookup instead of an
  // HMAC through crypto.subtle (~37 µs in Deno 2.9). Bounded and per instance (new secrets start
  // empty); only values whose MAC checked out ever enter it.
  #verified = new Map<string, string>();

  constructor(secrets: readonly string[]) {
    const encoder = new TextEncoder();
    this.#keys = Promise.all(secrets.map((secret) =>
      crypto.subtle.importKey(
        "raw",
        encoder.encode(secret),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["sign", "verify"],
      )
    ));
  }

  /** Returns `<id>.<signature>` signed with the first secret. */
  async sign(id: string): Promise<string> {
    const [key] = await this.#keys;
    const mac = await crypto.subtle.sign("HMAC", key!, new TextEncoder().encode(id));
    return `${id}.${toBase64Url(new Uint8Array(mac))}`;
  }

  /** The id of a value that verified before (no HMAC, no await), else `undefined`. */
  known(value: string): string | undefined {
    return this.#verified.get(value);
  }

  /** Returns the id if any secret verifies the value, else `undefined`. */
  async verify(value: string): Promise<string | undefined> {
    const known = this.#verified.get(value);
    if (known !== undefined) return known;
    const dot = value.indexOf(".");
    if (dot < 0) return undefined;
    const id = value.slice(0, dot);
    if (!isId(id)) return undefined;
    const mac = fromBase64Url(value.slice(dot + 1));
    if (!mac || mac.length !== 32) return undefined;
    const data = new TextEncoder().encode(id);
    for (const key of await this.#keys) {
      // crypto.subtle.verify compares in constant time.
      if (await crypto.subtle.verify("HMAC", key, mac, data)) {
        if (this.#verified.size >= VERIFIED_CACHE) {
          this.#verified.delete(this.#verified.keys().next().value!);
        }
        this.#verified.set(value, id);
        return id;
      }
    }
    return undefined;
  }
}
