// Copyright 2025 the pubkit authors. MIT license.

import { LRUCache } from "lru-cache";
import { checkId } from "./_ids.ts";
import { LockTable } from "./_lock_table.ts";
import {
  checkNumber,
  checkOptions,
  checkRecord,
  decodeRecord,
  encodeRecord,
  startSweeper,
  systemClock,
} from "./_store_common.ts";
import type {
  Clock,
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

/** Options for {@linkcode MemoryStore}. */
export interface MemoryStoreOptions {
  /** The most sessions kept; the least recently used go first. Defaults to `10_000`. */
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
  #cache: LRUCache<string, string>;
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
    this.#cache = new LRUCache<string, string>({
      max,
      ttlAutopurge: false,
      perf: { now: () => clock.now() },
    });
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
    return Promise.try(() => {
      checkId(id, "load session");
      const text = this.#cache.get(id);
      const record = text === undefined ? undefined : decodeRecord(text);
      return !record || record.expires <= this.#clock.now() ? undefined : record;
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
      const ttl = record.expires - this.#clock.now();
      if (ttl <= 0) this.#cache.delete(id);
      else this.#cache.set(id, encodeRecord(record), { ttl });
    });
  }

  /**
   * Updates the access time and expiry of an existing session.
   *
   * @param id The session id.
   * @param lastAccessed The new access time.
   * @param expires The new expiry.
   * @param options Passed on to {@linkcode MemoryStore.prototype.save}.
   * @throws {TypeError} If `id` is not a session id.
   */
  async touch(
    id: string,
    lastAccessed: number,
    expires: number,
    options?: StoreWriteOptions,
  ): Promise<void> {
    const record = await this.load(id);
    if (record) await this.save(id, { ...record, lastAccessed, expires }, options);
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
    });
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
  async lock(id: string, owner: unknown, options?: StoreLockOptions): Promise<SessionLock> {
    checkId(id, "lock session");
    return await this.#locks.acquire(id, owner, options);
  }

  /**
   * Removes expired sessions now.
   *
   * @returns How many were removed.
   */
  sweep(): Promise<number> {
    const before = this.#cache.size;
    this.#cache.purgeStale();
    return Promise.resolve(before - this.#cache.size);
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
