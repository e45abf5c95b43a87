// Copyright 2025 the pubkit authors. MIT license.

/** Options for {@linkcode Session.prototype.lock}. */
export interface SessionLockOptions {
  /** Acquire timeout in milliseconds; the manager's `lockTimeout` if omitted. */
  timeout?: number;
  /** Cancels the wait with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * An open session, as returned by `SessionManager.open()`.
 *
 * All openings by the same owner (a request and its internal redirects) share one
 * session: the same data, one lock held reentrantly. Changes are saved when the last
 * opening is closed, if anything changed; otherwise only the access time is renewed.
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
 * const cookie = session.setCookie();
 * await session.close();
 * assert.match(cookie!, /^sid=[\w-]{43}\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
 *
 * const headers = new Headers({ cookie: cookie!.split(";")[0]! });
 * await using again = await manager.open(headers, { owner: {} });
 * assert.equal(again.get("visits"), 1);
 * assert.equal(again.isNew, false);
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
  /** Whether this request holds the session's lock. */
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
   * @throws {TypeError} If the session was invalidated or closed.
   */
  set(key: string, value: unknown): void;
  /**
   * Removes a value.
   *
   * @param key The key.
   * @returns Whether the key was there.
   * @throws {TypeError} If the session was invalidated or closed.
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
   * @throws {TypeError} If the session was invalidated or closed.
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
   * Destroys the session's data and, through `setCookie()`, its cookie.
   *
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  invalidate(): Promise<void>;
  /**
   * Moves the data to a new id and destroys the old one; call it on login so that an
   * id planted before login (fixation) is worthless.
   *
   * @throws {TypeError} If the session was invalidated or closed.
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  regenerate(): Promise<void>;
  /**
   * Takes the lock again after `unlock()` (or for a session opened with `lock: false`).
   *
   * @param options Timeout and signal.
   * @throws {LockTimeoutError} If another request holds it past the timeout.
   */
  lock(options?: SessionLockOptions): Promise<void>;
  /**
   * Releases the lock early, for a long request that is done with the session; later
   * writes are then unprotected.
   *
   * @returns A promise that resolves when the lock is free.
   */
  unlock(): Promise<void>;
  /**
   * The `Set-Cookie` value this response must carry: for a new or regenerated session
   * that will be stored, a clearing cookie after `invalidate()` or for an unusable
   * cookie, else `undefined`.
   *
   * @returns The header value or `undefined`.
   */
  setCookie(): string | undefined;
  /**
   * Saves if changed (or renews the access time) and releases this opening's hold on
   * the lock; idempotent.
   *
   * @throws {LockLostError} If the lock was lost to a newer holder (leases only).
   * @throws {StoreUnavailableError} If the store cannot be reached.
   */
  close(): Promise<void>;
  /**
   * mod_python's name for {@linkcode Session.prototype.close}.
   *
   * @returns A promise that resolves once closed.
   */
  cleanup(): Promise<void>;
}
