// Copyright 2025 the pubkit authors. MIT license.

import { type Clock, systemClock } from "@pubkit/async";
import { CookieSigner, newId } from "./_ids.ts";
import { SessionCore } from "./_session_core.ts";
import type { CookieAttributes, CoreConfig } from "./_session_core.ts";
import { checkNumber, checkOptions } from "./_store_common.ts";
import { lockMeasured } from "./_telemetry.ts";
import type { Session } from "./session.ts";
import type { SessionLock, SessionRecord, SessionStore } from "./session_store.ts";

/** Options for {@linkcode SessionManager}. */
export interface SessionManagerOptions {
  /** Where sessions live and are locked. The manager closes it on `close()`. */
  store: SessionStore;
  /**
   * Cookie signing secrets, each at least 32 characters: the first signs, all verify,
   * so a new secret is put first and an old one removed once its cookies are gone.
   */
  secrets: readonly string[];
  /**
   * The cookie name. Defaults to `"sid"`. A cookie that is Secure, has Path=/ and no Domain is
   * named `__Host-<cookieName>`, so that neither a subdomain nor plain http can set it.
   */
  cookieName?: string;
  /** The session cookie's attributes. */
  cookie?: SessionCookieOptions;
  /** Milliseconds of inactivity after which a session expires. Defaults to 30 min. */
  idleTimeout?: number;
  /** Milliseconds after creation after which a session expires. Defaults to 8 h. */
  absoluteLifetime?: number;
  /** Milliseconds a request waits for a busy session. Defaults to `10_000`. */
  lockTimeout?: number;
  /** The time source for expiry. Defaults to `Date.now`. */
  clock?: Clock;
}

/** The session cookie's attributes, for {@linkcode SessionManagerOptions}. */
export interface SessionCookieOptions {
  /** The `Path` attribute. Defaults to `"/"`. */
  path?: string;
  /** The `Domain` attribute; unset (the default) means host-only. */
  domain?: string;
  /** The `SameSite` attribute. Defaults to `"lax"`; `"none"` requires `secure: true`. */
  sameSite?: "lax" | "strict" | "none";
  /**
   * The `Secure` attribute: `"auto"` (the default) sets it for requests that came over https
   * (`OpenOptions.secure`; behind a proxy, `@pubkit/server` reads `X-Forwarded-Proto` only from
   * the proxies named in its `trustProxy`), `true` always, `false` never.
   */
  secure?: "auto" | boolean;
}

/** Options for {@linkcode SessionManager.prototype.open}. */
export interface OpenOptions {
  /**
   * Identifies the request chain (a request and its internal redirects), compared by
   * identity. Every opening by the same owner shares one session and re-enters its lock.
   */
  owner: unknown;
  /**
   * Lock the session until it is closed. Defaults to `true`. `false` gives a read-only
   * snapshot for pages that only read: writes throw `TypeError`, and nothing is written back.
   */
  lock?: boolean;
  /** The request came over https: with `secure: "auto"` the cookie gets `Secure`. */
  secure?: boolean;
  /** Lock acquire timeout in milliseconds; overrides `lockTimeout`. */
  timeout?: number;
  /** Cancels a wait for the lock (for example when the client disconnects). */
  signal?: AbortSignal;
}

const KNOWN = [
  "store",
  "secrets",
  "cookieName",
  "idleTimeout",
  "absoluteLifetime",
  "lockTimeout",
  "cookie",
  "clock",
] as const;
const COOKIE_KNOWN = ["path", "domain", "sameSite", "secure"] as const;
/**
 * How many values of the session cookie a request may make the manager check: each may cost a
 * store read. On plain http a planted pair can thus shadow the live session; `__Host-` on https
 * is the defence (README, "Duplicate cookies").
 */
const MAX_COOKIES = 2;
const OPEN_KNOWN = ["owner", "lock", "secure", "timeout", "signal"] as const;
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Opens sessions from request headers: verifies the signed cookie, enforces idle and
 * absolute expiry, locks the session for the request chain, and tells which
 * `Set-Cookie` the response needs.
 *
 * An unsigned, tampered, unknown or expired cookie is never adopted: the request gets a
 * fresh session (strict mode), not an error. When a request carries the cookie more than
 * once (a stale one set for another path or a parent domain), only the first two values are
 * checked, in order, and the first whose signature verifies and whose session loads wins, so
 * a planted stale cookie can neither shadow a live session nor keep a logout failing.
 *
 * @example One request
 * ```ts
 * import {
 *   MemoryStore,
 *   type OpenOptions,
 *   SessionManager,
 *   type SessionManagerOptions,
 * } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const options: SessionManagerOptions = {
 *   store: new MemoryStore(),
 *   secrets: ["a secret of at least thirty-two characters"],
 * };
 * await using manager = new SessionManager(options);
 * const request = new Request("https://example.com/", { headers: { cookie: "sid=forged" } });
 * const open: OpenOptions = { owner: request, secure: true };
 * await using session = await manager.open(request.headers, open);
 * assert.equal(session.isNew, true);
 * session.set("user", "ada");
 * assert.equal(session.cookie()!.secure, true);
 * assert.equal(session.cookie()!.name, "__Host-sid");
 * ```
 */
export class SessionManager implements AsyncDisposable {
  #config: CoreConfig;
  #cores = new Map<unknown, SessionCore>();
  #closed = false;

  /**
   * Creates a manager over a store.
   *
   * @param options Store, secrets, cookie and expiry settings.
   * @throws {RangeError} For an unknown option, a bad number, a bad cookie name or
   *   attribute, or missing or short secrets.
   * @throws {TypeError} If `store` is missing.
   */
  constructor(options: SessionManagerOptions) {
    const action = "create SessionManager";
    checkOptions(options, KNOWN, action);
    if (typeof options.store?.lock !== "function") {
      throw new TypeError(`Cannot ${action}: store is not a SessionStore`);
    }
    const secrets = options.secrets;
    if (!Array.isArray(secrets) || secrets.length === 0) {
      throw new RangeError(`Cannot ${action}: secrets must be a non-empty array`);
    }
    if (secrets.some((secret) => typeof secret !== "string" || secret.length < 32)) {
      throw new RangeError(`Cannot ${action}: each secret must have at least 32 characters`);
    }
    const cookieName = options.cookieName ?? "sid";
    if (!COOKIE_NAME.test(cookieName)) {
      throw new RangeError(`Cannot ${action}: invalid cookie name "${cookieName}"`);
    }
    this.#config = {
      store: options.store,
      signer: new CookieSigner(secrets),
      clock: options.clock ?? systemClock,
      idleTimeout: checkNumber(options.idleTimeout ?? 30 * 60_000, "idleTimeout", action, 1),
      absoluteLifetime: checkNumber(
        options.absoluteLifetime ?? 8 * 3600_000,
        "absoluteLifetime",
        action,
        1,
      ),
      lockTimeout: checkNumber(options.lockTimeout ?? 10_000, "lockTimeout", action),
      cookieName,
      cookie: cookieAttributes(options.cookie ?? {}, action),
      onClosed: (core) => {
        if (this.#cores.get(core.owner) === core) this.#cores.delete(core.owner);
      },
    };
  }

  /**
   * The cookie name for a request: `__Host-<cookieName>` when the cookie is Secure (see
   * {@linkcode SessionCookieOptions.secure}), has Path=/ and no Domain.
   *
   * @param https Whether the request came over https.
   * @returns The name the cookie is read and set under.
   */
  cookieName(https: boolean): string {
    const { cookieName, cookie } = this.#config;
    return this.#secure(https) && cookie.path === "/" && cookie.domain === undefined
      ? `__Host-${cookieName}`
      : cookieName;
  }

  #secure(https: boolean): boolean {
    const { secure } = this.#config.cookie;
    return secure === "auto" ? https : secure;
  }

  /** The store the manager uses. */
  get store(): SessionStore {
    return this.#config.store;
  }

  /**
   * Opens the session of a request: the one its owner already has open, else the one
   * its valid cookie names, else a new one.
   *
   * @param headers The incoming request headers.
   * @param options The owner token, lock mode, https flag, timeout and signal.
   * @returns The session; close it (or `await using` it) when the response is done.
   * @throws {LockTimeoutError} If another request holds the session past the timeout.
   * @throws {StoreUnavailableError} If the store cannot be reached.
   * @throws {TypeError} If `owner` is missing or the manager is closed.
   * @throws {RangeError} For an unknown option.
   */
  async open(headers: Headers, options: OpenOptions): Promise<Session> {
    checkOptions(options, OPEN_KNOWN, "open session");
    const { owner, signal } = options;
    if (owner === undefined || owner === null) {
      throw new TypeError("Cannot open session: the owner token is undefined or null");
    }
    if (this.#closed) throw new TypeError("Cannot open session: the manager is closed");
    signal?.throwIfAborted();
    const lock = options.lock ?? true;
    const lockOptions = { timeout: options.timeout ?? this.#config.lockTimeout, signal };
    const { store, signer, clock } = this.#config;

    // An internal redirect or a template of the same request chain: same session, and its
    // lock already held, never waited for.
    const shared = this.#cores.get(owner);
    if (shared) return shared.openHandle();

    const https = options.secure ?? false;
    const cookieName = this.cookieName(https);
    const values = cookieValues(headers.get("cookie"), cookieName);
    let id: string | undefined;
    let verified: string | undefined;
    let hold: SessionLock | undefined;
    let record: SessionRecord | undefined;
    let now = 0;
    let touched = false;
    const { idleTimeout, absoluteLifetime } = this.#config;
    for (const value of values.slice(0, MAX_COOKIES)) {
      id = signer.verify(value);
      if (!id) continue;
      if (lock) hold = await lockMeasured(store, id, owner, { ...lockOptions, load: true });
      try {
        // A store that read the session with the lock saves a round trip.
        if (hold === undefined && store.loadAndTouch !== undefined) {
          // A read-only request renews the expiry as it reads: one round trip.
          touched = true;
          record = await store.loadAndTouch(id, {
            now: clock.now(),
            idleTimeout,
            absoluteLifetime,
          });
        } else {
          record = hold?.record !== undefined ? hold.record ?? undefined : await store.load(id);
        }
        now = clock.now();
        if (record && this.#expired(record, now)) {
          if (hold) await store.destroy(id, { fence: hold.fence });
          record = undefined;
        }
        // A session held by a request never expires under it: a read-only view sees what the
        // holder had (its holder renews it), up to the absolute lifetime.
        if (!record && !lock && store.loadHeld !== undefined) {
          const held = await store.loadHeld(id);
          if (held && now < held.created + absoluteLifetime) record = held;
        }
      } catch (error) {
        await hold?.release();
        throw error;
      }
      if (record) {
        verified = value;
        break;
      }
      await hold?.release();
      hold = undefined;
    }
    if (!record) {
      // A fresh id is known to nobody else: its lock is taken before its first save only.
      id = newId();
      now = clock.now();
    }
    const core = new SessionCore(this.#config, {
      owner,
      secure: this.#secure(https),
      cookieName,
      id: id!,
      // A cookie that verified is already the signed id: signing again would cost an HMAC.
      signed: verified ?? signer.sign(id!),
      record,
      hadCookie: values.length > 0,
      now,
      exclusive: lock,
      lock: hold,
      touched: touched && record !== undefined,
    });
    this.#cores.set(owner, core);
    return core.openHandle();
  }

  #expired(record: SessionRecord, now: number): boolean {
    return now >= record.lastAccessed + this.#config.idleTimeout ||
      now >= record.created + this.#config.absoluteLifetime || now >= record.expires;
  }

  /**
   * Refuses new openings and closes the store (its sweeper and connections);
   * idempotent.
   *
   * @returns A promise that resolves once the store is closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#config.store.close();
  }

  /**
   * Same as {@linkcode SessionManager.prototype.close}.
   *
   * @returns A promise that resolves once closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Every value of cookie `name` in a `Cookie` header, in order. */
function cookieValues(header: string | null, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    values.push(value);
  }
  return values;
}

function cookieAttributes(options: SessionCookieOptions, action: string): CookieAttributes {
  checkOptions(options, COOKIE_KNOWN, action);
  const { path = "/", domain, sameSite = "lax", secure = "auto" } = options;
  // The characters RFC 6265 allows in an attribute value (no ";" nor control characters).
  if (typeof path !== "string" || !path.startsWith("/") || !/^[\x20-\x3a\x3c-\x7e]*$/.test(path)) {
    throw new RangeError(`Cannot ${action}: cookie.path must start with "/" and be printable`);
  }
  if (domain !== undefined && !/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(domain)) {
    throw new RangeError(`Cannot ${action}: cookie.domain ${JSON.stringify(domain)} is not a host`);
  }
  if (!["lax", "strict", "none"].includes(sameSite)) {
    throw new RangeError(`Cannot ${action}: cookie.sameSite must be "lax", "strict" or "none"`);
  }
  if (secure !== "auto" && typeof secure !== "boolean") {
    throw new RangeError(`Cannot ${action}: cookie.secure must be "auto", true or false`);
  }
  if (sameSite === "none" && secure !== true) {
    throw new RangeError(`Cannot ${action}: cookie.sameSite "none" requires secure: true`);
  }
  return { path, domain, sameSite, secure };
}
