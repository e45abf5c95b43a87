// Copyright 2025 the pubkit authors. MIT license.

/** What a store keeps for one session. Data must be JSON-serialisable. */
export interface SessionRecord {
  /** The session's values. */
  data: Record<string, unknown>;
  /** When the session was created (epoch ms). */
  created: number;
  /** When a request last used the session (epoch ms). */
  lastAccessed: number;
  /** When the session expires unless used again (epoch ms); stores drop it then. */
  expires: number;
}

/** Options for locking a session in a store. */
export interface StoreLockOptions {
  /** Acquire timeout in milliseconds; the store's default if omitted. */
  timeout?: number;
  /** Cancels the wait with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Also read the session while taking the lock, in the same round trip where the store can;
   * the lock's `record` then holds what was read. Stores that cannot leave `record` undefined
   * and the caller calls `load()`. Defaults to `false`.
   */
  load?: boolean;
}

/**
 * The last write of a locked request, for {@linkcode SessionLock.commit}: the whole record, or
 * only its access time and expiry (as {@linkcode SessionStore.touch}).
 */
export type FinalWrite =
  | { save: SessionRecord }
  | { touch: { lastAccessed: number; expires: number } };

/** A read-only request's renewal, for {@linkcode SessionStore.loadAndTouch}. */
export interface Renewal {
  /** The request's time (epoch ms): the new `lastAccessed`. */
  now: number;
  /** The manager's idle timeout in milliseconds. */
  idleTimeout: number;
  /** The manager's absolute lifetime in milliseconds. */
  absoluteLifetime: number;
}

/** Options for writes that may carry a fencing token. */
export interface StoreWriteOptions {
  /**
   * The fencing token of the caller's lock. Stores that can lose a lock (leases)
   * refuse a write whose token is older than the newest one issued, with
   * `LockLostError`. Omitted for unlocked writes.
   */
  fence?: number;
}

/**
 * One hold on a session's lock in a store. Holds are reentrant: the same owner may
 * hold the lock several times, and it is free once every hold is released.
 */
export interface SessionLock extends AsyncDisposable {
  /** The session id. */
  readonly id: string;
  /** The fencing token of this ownership; increases with every new owner. */
  readonly fence: number;
  /**
   * With `load: true`: what the store read while taking the lock (the record, `null` for none
   * or an expired one), if this hold started the ownership and the store reads in the same
   * step. `undefined` otherwise: then call `load()`.
   */
  readonly record?: SessionRecord | null;
  /** Gives back this hold; idempotent. */
  release(): Promise<void>;
  /**
   * Saves (or touches) the session under this lock's fence and gives back this hold, in one
   * round trip where the store can (`RedisStore`: one script). Optional: without it, a caller
   * calls `save()` or `touch()` with the fence, then `release()`. After it, `release()` does
   * nothing.
   *
   * @param write The whole record, or the new access time and expiry.
   * @throws {LockLostError} If a newer holder exists (the write is refused; the hold is freed).
   */
  commit?(write: FinalWrite): Promise<void>;
}

/**
 * The storage and locking backend of a `SessionManager`.
 *
 * Every implementation must validate ids before using them (throwing `TypeError`),
 * never return expired records, keep a locked session past its expiry until its holder
 * renews it, lock reentrantly per id by owner identity with FIFO
 * waiting, timeout (`LockTimeoutError`) and signal, and pass the conformance suite in
 * `@pubkit/session/testing`. A backend that cannot be reached raises
 * `StoreUnavailableError` quickly.
 */
export interface SessionStore {
  /**
   * Reads a session.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or expired.
   */
  load(id: string): Promise<SessionRecord | undefined>;
  /**
   * Reads a session and, if it is live (neither past `expires` nor past the renewal's idle or
   * absolute limits) and not locked, renews it in the same step: `lastAccessed = now`,
   * `expires = min(now + idleTimeout, created + absoluteLifetime)`. A read-only request costs
   * one round trip this way. Optional: without it, the manager loads, then renews under a lock
   * that must be free at once.
   *
   * @param id The session id.
   * @param renewal The time and the manager's expiry settings.
   * @returns The record as it was before the renewal, or `undefined` if missing or expired.
   */
  loadAndTouch?(id: string, renewal: Renewal): Promise<SessionRecord | undefined>;
  /**
   * Reads a session that a request holds locked right now, even past its expiry (a session
   * held by a request never expires under it: its holder renews it when it finishes).
   * Optional: a read-only request of a store without it sees a held session that went past
   * its idle deadline as gone.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or not locked.
   */
  loadHeld?(id: string): Promise<SessionRecord | undefined>;
  /**
   * Writes a session whole, replacing what was there.
   *
   * @param id The session id.
   * @param record The record to store until `record.expires`.
   * @param options The caller's fencing token.
   */
  save(id: string, record: SessionRecord, options?: StoreWriteOptions): Promise<void>;
  /**
   * Updates only the access time and expiry of an existing session. Without a fence a session
   * past its expiry is not revived; with one (the caller holds the lock) a session that
   * expired while held is renewed, as long as it was not destroyed.
   *
   * @param id The session id.
   * @param lastAccessed The new access time (epoch ms).
   * @param expires The new expiry (epoch ms).
   * @param options The caller's fencing token.
   */
  touch(
    id: string,
    lastAccessed: number,
    expires: number,
    options?: StoreWriteOptions,
  ): Promise<void>;
  /**
   * Deletes a session; deleting a missing one is not an error.
   *
   * @param id The session id.
   * @param options The caller's fencing token.
   */
  destroy(id: string, options?: StoreWriteOptions): Promise<void>;
  /**
   * Locks a session id for `owner`, re-entering if `owner` already holds it.
   *
   * @param id The session id (need not exist yet).
   * @param owner The owner token, compared by identity.
   * @param options Timeout and signal.
   * @returns A hold to release when done.
   */
  lock(id: string, owner: unknown, options?: StoreLockOptions): Promise<SessionLock>;
  /**
   * Removes expired sessions now, skipping those locked right now. Stores also do it
   * periodically until closed.
   *
   * @returns How many sessions were removed.
   */
  sweep(): Promise<number>;
  /** Stops the sweeper and closes connections; idempotent. */
  close(): Promise<void>;
}
