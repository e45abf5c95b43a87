// Copyright 2025 the pubkit authors. MIT license.

/** Options for {@linkcode Session.prototype.lock}. */
export interface SessionLockOptions {
  /** Acquire timeout in milliseconds; the manager's `lockTimeout` if omitted. */
  timeout?: number;
  /** Cancels the wait with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * The session cookie a response must carry, as data: `@pubkit/request`'s `serializeCookie`
 * (through `@pubkit/server`) turns it into the `Set-Cookie` header, so there is one cookie
 * serializer. Its fields are that function's options plus the name and value.
 */
export interface SessionCookie {
  /** The cookie name (`__Host-<name>` when Secure, Path=/ and no Domain). */
  name: string;
  /** The signed session id, or `""` for a clearing cookie. */
  value: string;
  /** The `Path` attribute. */
  path: string;
  /** The `Domain` attribute; `undefined` for a host-only cookie. */
  domain: string | undefined;
  /** The `SameSite` attribute. */
  sameSite: "lax" | "strict" | "none";
  /** The `Secure` attribute. */
  secure: boolean;
  /** Always `true`: scripts never read the session cookie. */
  httpOnly: true;
  /** `0` for a clearing cookie, else `undefined` (a browser-session cookie). */
  maxAge?: number;
}

/**
 * An open session, as returned by `SessionManager.open()`.
 *
 * All openings by the same owner (a request and its internal redirects) share one
 * session: the same data, one lock held reentrantly. Changes are saved when the last
 * opening is closed (`@pubkit/server` saves them before the response is sent), if anything
 * changed; otherwise only the expiry is renewed. A session that was never changed is never
 * written.
 *
 * A session opened without the lock (`lock: false`) is a read-only snapshot: `set()`,
 * `delete()`, `clear()`, `save()`, `invalidate()` and `regenerate()` throw `TypeError`, and it
 * never writes its data back (it only renews the expiry, under the lock, when that is free).
 *
 * @example A visit counter
 * ```ts
 * import { MemoryStore, type Session, SessionManager, type SessionLockOptions } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * await using manager = new SessionManager({
 *   store: new MemoryStore(),
 *   secrets: ["a secret of at least thirty-two characters"],
 * });
 * const session: Session = await manager.open(new Headers(), { owner: {} });
 * const relock: SessionLockOptions = { timeout: 100 };
 * await session.lock(relock); // already locked by open(): returns at once
 * session.set("visits", ((session.get("visits") as number | undefined) ?? 0) + 1);
 * const cookie = session.cookie()!;
 * await session.close();
 * assert.match(cookie.value, /^[\w-]{43}\.[\w-]{43}$/);
 * assert.deepEqual({ ...cookie, value: "" }, {
 *   name: "sid", value: "", path: "/", domain: undefined, sameSite: "lax", secure: false,
 *   httpOnly: true,
 * });
 *
 * const headers = new Headers({ cookie: `${cookie.name}=${cookie.value}` });
 * await using again = await manager.open(headers, { owner: {}, lock: false });
 * assert.equal(again.get("visits"), 1);
 * assert.equal(again.isNew, false);
 * assert.throws(() => again.set("visits", 2), TypeError);
 * ```
 */
export interface Session extends AsyncDisposable {
  /** The session id (256 random bits, base64url). Changes on `regenerate()`. */
  readonly id: string;
  /** Whether the id was created by this request (new or regenerated). */
  readonly isNew: boolean;
  /** When the session was created (epoch ms). */
  readonly created: number;
  /** When a request last used the session before this one (epoch ms). */
  readonly lastAccessed: number;
  /** The idle timeout in milliseconds. */
  readonly timeout: number;
  /** Whether this request may change the session (opened with the lock, or `lock()` since). */
  readonly locked: boolean;
  /** Whether `invalidate()` was called. */
  readonly invalidated: boolean;
  /** Whether the data changed since it was loaded or saved. */
  readonly modified: boolean;
  /**
   * Reads a value.
   *
   * @param key The key.
   * @returns The value, or `undefined`.
   */
  get(key: string): unknown;
  /**
   * Sets a value (JSON-serialisable).
   *
   * @param key The key.
   * @param value The value.
   * @throws {TypeError} If the session is read-only (opened without the lock), invalidated
   *   or closed.
   */
  set(key: string, value: unknown): void;
  /**
   * Removes a value.
   *
   * @param key The key.
   * @returns Whether the key was there.
   * @throws {TypeError} If the session is read-only, invalidated or closed.
   */
  delete(key: string): boolean;
  /**
   * Tells whether a key is set.
   *
   * @param key The key.
   * @returns Whether the key is set.
   */
  has(key: string): boolean;
  /**
   * Removes every value.
   *
   * @throws {TypeError} If the session is read-only, invalidated or closed.
   */
  clear(): void;
  /**
   * Lists the keys.
   *
   * @returns The keys.
   */
  keys(): string[];
  /**
   * Writes the session to the store now.
   *
   * @throws {TypeError} If the session is read-only, invalidated or closed.
   * @throws {LockLostError} If the lock was lost to a newer holder (leases only).
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  save(): Promise<void>;
  /**
   * Re-reads the data from the store, dropping unsaved changes.
   *
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  load(): Promise<void>;
  /**
   * Destroys the session's data and, through `cookie()`, its cookie.
   *
   * @throws {TypeError} If the session is read-only or closed.
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  invalidate(): Promise<void>;
  /**
   * Moves the data to a new id and destroys the old one; call it on login so that an
   * id planted before login (fixation) is worthless.
   *
   * @throws {TypeError} If the session is read-only, invalidated or closed.
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  regenerate(): Promise<void>;
  /**
   * Takes the lock again after `unlock()` (or for a session opened with `lock: false`) and
   * re-reads the data, so that no stale snapshot is ever written back.
   *
   * @param options Timeout and signal.
   * @throws {LockTimeoutError} If another request holds it past the timeout.
   */
  lock(options?: SessionLockOptions): Promise<void>;
  /**
   * Saves pending changes and releases the lock early, for a long request that is done with
   * the session; it is read-only from then on.
   *
   * @returns A promise that resolves when the lock is free.
   */
  unlock(): Promise<void>;
  /**
   * The cookie this response must carry: for a new or regenerated session that will be
   * stored, a clearing cookie after `invalidate()`, else `undefined`. A cookie that did not
   * load (forged, expired, or destroyed by a parallel `regenerate()`) is ignored, not cleared,
   * so that a slow response never logs out a browser that got a new cookie meanwhile. Serialize it with `@pubkit/request`'s `serializeCookie`.
   *
   * @returns The cookie or `undefined`.
   */
  cookie(): SessionCookie | undefined;
  /**
   * Saves if changed (or renews the expiry of a stored session) and releases this opening's hold on
   * the lock; idempotent.
   *
   * @throws {LockLostError} If the lock was lost to a newer holder (leases only).
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  close(): Promise<void>;
}
