// Copyright 2025 the pubkit authors. MIT license.

import { createHmac, timingSafeEqual } from "node:crypto";

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

/** Unpadded base64url (RFC 4648 §5). */
function toBase64Url(bytes: Uint8Array): string {
  return bytes.toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * Decodes canonical unpadded base64url; `undefined` for anything else. Strict: fromBase64
 * skips whitespace, takes padding and ignores the unused low bits of the last character (so
 * four spellings of one MAC would verify); only the one encoding that re-encodes the same passes.
 */
function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const bytes = Uint8Array.fromBase64(text, { alphabet: "base64url" });
    return toBase64Url(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** How many verified cookie values a signer remembers. */
const VERIFIED_CACHE = 10_000;

/** Signs and verifies cookie values `<id>.<hmac>` (HMAC-SHA256) with a list of secrets. */
export class CookieSigner {
  // node:crypto rather than crypto.subtle: synchronous, and an HMAC costs ~14 µs instead of
  // ~37 µs in Deno 2.9 (bench/RESULTS.md), paid for every new session.
  #secrets: readonly string[];
  // Cookie values that verified, so that a returning visitor costs a Map lookup instead of an
  // HMAC. Bounded and per instance (new secrets start empty); only values whose MAC checked out
  // ever enter it.
  #verified = new Map<string, string>();

  constructor(secrets: readonly string[]) {
    this.#secrets = [...secrets];
  }

  /** Returns `<id>.<signature>` signed with the first secret. */
  sign(id: string): string {
    return `${id}.${createHmac("sha256", this.#secrets[0]!).update(id).digest("base64url")}`;
  }

  /** Returns the id if any secret verifies the value, else `undefined`. */
  verify(value: string): string | undefined {
    const known = this.#verified.get(value);
    if (known !== undefined) return known;
    const dot = value.indexOf(".");
    if (dot < 0) return undefined;
    const id = value.slice(0, dot);
    if (!isId(id)) return undefined;
    const mac = fromBase64Url(value.slice(dot + 1));
    if (!mac || mac.length !== 32) return undefined;
    for (const secret of this.#secrets) {
      if (timingSafeEqual(createHmac("sha256", secret).update(id).digest(), mac)) {
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
