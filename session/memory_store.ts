// Copyright 2025 the pubkit authors. MIT license.

import { type Clock, systemClock } from "@pubkit/async";
import { LRUCache } from "lru-cache";
import { checkId } from "./_ids.ts";
import { LockTable } from "./_lock_table.ts";
import { checkNumber, checkOptions, checkRecord, startSweeper } from "./_store_common.ts";
import type {
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

/** Options for {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * The most idle sessions kept; past it the least recently used idle one is dropped (its
   * visitor gets a new session). A session a request holds locked is kept outside this bound
   * until it is unlocked, so it is never dropped under its request. Defaults to `10_000`.
   */
  maxSessions?: number;
  /** Default lock acquire timeout in milliseconds. Defaults to `10_000`. */
  lockTimeout?: number;
  /** Milliseconds between sweeps of expired sessions; `0` disables. Defaults to `60_000`. */
  sweepInterval?: number;
  /** The time source for expiry. Defaults to `Date.now`. */
  clock?: Clock;
}

const KNOWN = ["maxSessions", "lockTimeout", "sweepInterval", "clock"] as const;

/**
 * What the cache keeps per session: the data as JSON, so that no caller shares objects with the
 * store (as with every other store), and the times as numbers, which are cheaper to keep than
 * to parse.
 */
interface Entry {
  readonly data: string;
  readonly created: number;
  readonly lastAccessed: number;
  readonly expires: number;
}

/**
 * A session store in this process's memory, bounded with `lru-cache`.
 *
 * For one process only: `deno serve --parallel` workers and separate processes each
 * have their own memory and their own locks, so use `FileStore` or `RedisStore` there.
 *
 * @example Storing and loading a session
 * ```ts
 * import { MemoryStore, type MemoryStoreOptions } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const options: MemoryStoreOptions = { maxSessions: 100 };
 * await using store = new MemoryStore(options);
 * const id = "a".repeat(43);
 * const now = Date.now();
 * await store.save(id, { data: { n: 1 }, created: now, lastAccessed: now, expires: now + 60_000 });
 * assert.deepEqual((await store.load(id))?.data, { n: 1 });
 * ```
 */
export class MemoryStore implements SessionStore, AsyncDisposable {
  #cache: LRUCache<string, Entry>;
  /** Sessions a request holds locked: out of the LRU bound until unlocked. */
  #pinned = new Map<string, Entry>();
  #locks: LockTable;
  #clock: Clock;
  #stopSweeper: () => void;

  /**
   * Creates an empty store and starts its sweeper.
   *
   * @param options Size bound, lock timeout, sweep interval and clock.
   * @throws {RangeError} For an unknown or out-of-range option.
   */
  constructor(options: MemoryStoreOptions = {}) {
    const action = "create MemoryStore";
    checkOptions(options, KNOWN, action);
    const max = checkNumber(options.maxSessions ?? 10_000, "maxSessions", action, 1);
    const lockTimeout = checkNumber(options.lockTimeout ?? 10_000, "lockTimeout", action);
    const sweepInterval = checkNumber(options.sweepInterval ?? 60_000, "sweepInterval", action);
    const clock = options.clock ?? systemClock;
    this.#clock = clock;
    // Expiry is checked here on load and by the sweeper, so the cache needs no TTL of its own.
    this.#cache = new LRUCache<string, Entry>({ max });
    this.#locks = new LockTable(lockTimeout);
    this.#stopSweeper = startSweeper(sweepInterval, () => this.sweep());
  }

  /**
   * Reads a session.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or expired.
   * @throws {TypeError} If `id` is not a session id.
   */
  load(id: string): Promise<SessionRecord | undefined> {
    try {
      checkId(id, "load session");
    } catch (error) {
      return Promise.reject(error);
    }
    const entry = this.#get(id);
    if (entry === undefined || entry.expires <= this.#clock.now()) {
      return Promise.resolve(undefined);
    }
    const { created, lastAccessed, expires } = entry;
    return Promise.resolve({ data: JSON.parse(entry.data), created, lastAccessed, expires });
  }

  /**
   * Reads a session that a request holds locked, even past its expiry.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or not locked.
   * @throws {TypeError} If `id` is not a session id.
   */
  loadHeld(id: string): Promise<SessionRecord | undefined> {
    return Promise.try(() => {
      checkId(id, "load session");
      const entry = this.#locks.isHeld(id) ? this.#pinned.get(id) : undefined;
      if (entry === undefined) return undefined;
      const { created, lastAccessed, expires } = entry;
      return { data: JSON.parse(entry.data), created, lastAccessed, expires };
    });
  }

  /**
   * Writes a session whole.
   *
   * @param id The session id.
   * @param record The record.
   * @param _options Ignored: a local lock cannot be lost, so no fence is checked.
   * @throws {TypeError} If `id` or `record` is malformed, or the data is not JSON.
   */
  save(id: string, record: SessionRecord, _options?: StoreWriteOptions): Promise<void> {
    return Promise.try(() => {
      checkId(id, "save session");
      checkRecord(record, "save session");
      const { created, lastAccessed, expires } = record;
      // An expired record is kept until the sweep, but load() never returns it.
      this.#set(id, { data: JSON.stringify(record.data), created, lastAccessed, expires });
    });
  }

  /**
   * Updates the access time and expiry of an existing session; under the lock (with a fence)
   * also of one that expired while it was held, which the sweep kept.
   *
   * @param id The session id.
   * @param lastAccessed The new access time.
   * @param expires The new expiry.
   * @param options The caller's fencing token, if it holds the lock (not checked otherwise).
   * @throws {TypeError} If `id` is not a session id.
   */
  touch(
    id: string,
    lastAccessed: number,
    expires: number,
    options?: StoreWriteOptions,
  ): Promise<void> {
    return Promise.try(() => {
      checkId(id, "touch session");
      const entry = this.#get(id);
      if (entry === undefined) return;
      if (options?.fence === undefined && entry.expires <= this.#clock.now()) return;
      this.#set(id, { data: entry.data, created: entry.created, lastAccessed, expires });
    });
  }

  /**
   * Deletes a session.
   *
   * @param id The session id.
   * @param _options Ignored (no fence check for a local lock).
   * @throws {TypeError} If `id` is not a session id.
   */
  destroy(id: string, _options?: StoreWriteOptions): Promise<void> {
    return Promise.try(() => {
      checkId(id, "destroy session");
      this.#cache.delete(id);
      this.#pinned.delete(id);
    });
  }

  #get(id: string): Entry | undefined {
    return this.#pinned.get(id) ?? this.#cache.get(id);
  }

  #set(id: string, entry: Entry): void {
    if (this.#locks.isHeld(id)) this.#pinned.set(id, entry);
    else this.#cache.set(id, entry);
  }

  /**
   * Locks a session id for `owner` (reentrant, FIFO, with timeout and signal).
   *
   * @param id The session id.
   * @param owner The owner token, compared by identity.
   * @param options Timeout and signal.
   * @returns A hold to release.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockTimeoutError} If another owner holds it past the timeout.
   */
  lock(id: string, owner: unknown, options?: StoreLockOptions): Promise<SessionLock> {
    try {
      checkId(id, "lock session");
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#locks.acquire(id, owner, options).then((hold) =>
      new PinnedLock(hold, (id) => this.#repin(id))
    );
  }

  /** Moves a session out of the LRU bound while locked, and back once free. */
  #repin(id: string): void {
    if (this.#locks.isHeld(id)) {
      const entry = this.#cache.get(id);
      if (entry === undefined) return;
      this.#cache.delete(id);
      this.#pinned.set(id, entry);
    } else {
      const entry = this.#pinned.get(id);
      if (entry === undefined) return;
      this.#pinned.delete(id);
      this.#cache.set(id, entry);
    }
  }

  /**
   * Removes expired sessions now, except those a request holds locked (it renews them when
   * it finishes).
   *
   * @returns How many were removed.
   */
  sweep(): Promise<number> {
    const now = this.#clock.now();
    const expired: string[] = [];
    for (const [id, entry] of this.#cache.entries()) {
      if (entry.expires <= now && !this.#locks.isHeld(id)) expired.push(id);
    }
    // Pinned sessions are held, so never swept.
    for (const id of expired) this.#cache.delete(id);
    return Promise.resolve(expired.length);
  }

  /**
   * Stops the sweeper; idempotent.
   *
   * @returns A promise that resolves when stopped.
   */
  close(): Promise<void> {
    this.#stopSweeper();
    return Promise.resolve();
  }

  /**
   * Same as {@linkcode MemoryStore.prototype.close}.
   *
   * @returns A promise that resolves when stopped.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A lock hold that pins its session in the store while held. */
class PinnedLock implements SessionLock {
  readonly #hold: SessionLock;
  readonly #repin: (id: string) => void;
  #released: Promise<void> | undefined;

  constructor(hold: SessionLock, repin: (id: string) => void) {
    this.#hold = hold;
    this.#repin = repin;
    repin(hold.id);
  }
  get id(): string {
    return this.#hold.id;
  }
  get fence(): number {
    return this.#hold.fence;
  }
  get record(): SessionRecord | null | undefined {
    return this.#hold.record;
  }
  release(): Promise<void> {
    return this.#released ??= this.#hold.release().then(() => this.#repin(this.id));
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
