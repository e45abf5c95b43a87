// Copyright 2025 the pubkit authors. MIT license.

import { type Clock, systemClock } from "@pubkit/async";
import { checkId, isId } from "./_ids.ts";
import { LockTable, type OuterLock, pollUntil } from "./_lock_table.ts";
import {
  checkNumber,
  checkOptions,
  checkRecord,
  decodeRecord,
  encodeRecord,
  startSweeper,
} from "./_store_common.ts";
import type {
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

/** Options for {@linkcode FileStore}. */
export interface FileStoreOptions {
  /** The folder holding one file per session; created if missing. */
  dir: string;
  /** Default lock acquire timeout in milliseconds. Defaults to `10_000`. */
  lockTimeout?: number;
  /** Milliseconds between sweeps of expired sessions; `0` disables. Defaults to `60_000`. */
  sweepInterval?: number;
  /** Flush each write to disk before it replaces the old file. Defaults to `true`. */
  fsync?: boolean;
  /** The time source for expiry. Defaults to `Date.now`. */
  clock?: Clock;
}

const KNOWN = ["dir", "lockTimeout", "sweepInterval", "fsync", "clock"] as const;
/** `.writer-<uuid>.lock`: held locked by a live store instance for its whole life. */
const WRITER = /^\.writer-([0-9a-f-]{36})\.lock$/;
/** `.<id>.<writer uuid>.<uuid>.tmp`: a write in progress, or a killed writer's leftover. */
const TEMP = /^\.[A-Za-z0-9_-]{43}\.([0-9a-f-]{36})\.[0-9a-f-]{36}\.tmp$/;

/**
 * A session store with one JSON file per session in a folder.
 *
 * Writes are atomic (temp file, then rename), ids are validated before they touch a
 * path, and the lock is an OS file lock (`Deno.FsFile.tryLock`) on `<id>.lock`, so
 * separate processes and `deno serve --parallel` workers sharing the folder serialize
 * on the same session, and a crashed holder's lock is released by the OS. The folder
 * must be on a local file system (advisory locks on network file systems vary).
 *
 * The folder is created `0700` and every file `0600`. Each store instance holds an OS lock on
 * a `.writer-<uuid>.lock` file of its own and names its temp files after it, so that a store
 * starting up (and each sweep) removes the temp files of writers that were killed mid-save,
 * and only theirs.
 *
 * @example Storing and loading a session
 * ```ts
 * import { FileStore, type FileStoreOptions } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const options: FileStoreOptions = { dir: await Deno.makeTempDir() };
 * await using store = new FileStore(options);
 * const id = "b".repeat(43);
 * const now = Date.now();
 * await store.save(id, { data: { n: 1 }, created: now, lastAccessed: now, expires: now + 60_000 });
 * assert.deepEqual((await store.load(id))?.data, { n: 1 });
 * await assert.rejects(() => store.load("../../etc/passwd"), TypeError);
 * await Deno.remove(options.dir, { recursive: true });
 * ```
 */
export class FileStore implements SessionStore, AsyncDisposable {
  #dir: string;
  #locks: LockTable;
  #clock: Clock;
  #fsync: boolean;
  #fence = 0;
  #stopSweeper: () => void;
  #writer = crypto.randomUUID();
  #writerLock: Deno.FsFile | undefined;

  /**
   * Creates the store (and its folder, `0700`), removes temp files that killed writers left,
   * and starts its sweeper.
   *
   * @param options Folder, lock timeout, sweep interval, fsync and clock.
   * @throws {RangeError} For an unknown or out-of-range option.
   * @throws {TypeError} If `dir` is not a non-empty string.
   */
  constructor(options: FileStoreOptions) {
    const action = "create FileStore";
    checkOptions(options, KNOWN, action);
    if (typeof options.dir !== "string" || options.dir === "") {
      throw new TypeError(`Cannot ${action}: dir must be a non-empty string`);
    }
    this.#dir = options.dir.replace(/\/+$/, "") || "/";
    Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const lockTimeout = checkNumber(options.lockTimeout ?? 10_000, "lockTimeout", action);
    const sweepInterval = checkNumber(options.sweepInterval ?? 60_000, "sweepInterval", action);
    this.#clock = options.clock ?? systemClock;
    this.#fsync = options.fsync ?? true;
    this.#locks = new LockTable(lockTimeout, {
      acquireOuter: (id, deadline, timeout, signal) =>
        pollUntil(() => this.#tryOsLock(id), deadline, timeout, {
          signal,
          subject: `session ${id.slice(0, 8)}…`,
          maxDelay: 20,
        }),
    });
    this.#removeOrphansSync();
    const writerLock = Deno.openSync(`${this.#dir}/.writer-${this.#writer}.lock`, {
      write: true,
      createNew: true,
      mode: 0o600,
    });
    writerLock.lockSync(true);
    this.#writerLock = writerLock;
    this.#stopSweeper = startSweeper(sweepInterval, () => this.sweep());
  }

  /**
   * Removes the temp files, and the writer lock files, of writers whose lock is free: their
   * process died (the OS released the lock) or closed its store.
   */
  #removeOrphansSync(names: Iterable<string> = this.#namesSync()): void {
    const temps: [string, string][] = [];
    const dead = new Set<string>();
    for (const name of names) {
      const temp = TEMP.exec(name);
      if (temp) temps.push([name, temp[1]!]);
      const writer = WRITER.exec(name)?.[1];
      if (writer === undefined || writer === this.#writer) continue;
      let file: Deno.FsFile;
      try {
        file = Deno.openSync(`${this.#dir}/${name}`, { write: true });
      } catch {
        continue; // removed meanwhile by another store
      }
      try {
        if (file.tryLockSync(true)) {
          dead.add(writer);
          Deno.removeSync(`${this.#dir}/${name}`);
        }
      } catch {
        // Removed meanwhile by another store.
      } finally {
        file.close();
      }
    }
    for (const [name, writer] of temps) {
      if (!dead.has(writer)) continue;
      try {
        Deno.removeSync(`${this.#dir}/${name}`);
      } catch {
        // Removed meanwhile by another store.
      }
    }
  }

  #namesSync(): string[] {
    return Array.from(Deno.readDirSync(this.#dir), (entry) => entry.name);
  }

  #path(id: string, ext: string): string {
    return `${this.#dir}/${id}.${ext}`;
  }

  /**
   * Reads a session.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or expired.
   * @throws {TypeError} If `id` is not a session id.
   */
  async load(id: string): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    const record = await this.#read(id);
    if (!record || record.expires <= this.#clock.now()) return undefined;
    return record;
  }

  /**
   * Reads a session that a request (of any process) holds locked, even past its expiry.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or not locked.
   * @throws {TypeError} If `id` is not a session id.
   */
  async loadHeld(id: string): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    if (!this.#locks.isHeld(id)) {
      // Free at once: nobody holds it. (Only a missing or expired session gets here.)
      const free = await this.#tryOsLock(id);
      if (free !== undefined) {
        await free.release();
        return undefined;
      }
    }
    return await this.#read(id);
  }

  /** The stored record, expired or not. */
  async #read(id: string): Promise<SessionRecord | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.#path(id, "json"));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    return decodeRecord(text);
  }

  /**
   * Writes a session whole, atomically.
   *
   * @param id The session id.
   * @param record The record.
   * @param _options Ignored: an OS lock cannot be lost while its holder lives.
   * @throws {TypeError} If `id` or `record` is malformed, or the data is not JSON.
   */
  async save(id: string, record: SessionRecord, _options?: StoreWriteOptions): Promise<void> {
    checkId(id, "save session");
    checkRecord(record, "save session");
    const text = encodeRecord(record);
    const temp = `${this.#dir}/.${id}.${this.#writer}.${crypto.randomUUID()}.tmp`;
    try {
      const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
      try {
        await file.write(new TextEncoder().encode(text));
        if (this.#fsync) await file.syncData();
      } finally {
        file.close();
      }
      await Deno.rename(temp, this.#path(id, "json"));
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  }

  /**
   * Updates the access time and expiry of an existing session; under the lock (with a fence)
   * also of one that expired while it was held, which the sweep kept. It rewrites the file,
   * so call it while holding the session's lock.
   *
   * @param id The session id.
   * @param lastAccessed The new access time.
   * @param expires The new expiry.
   * @param options The caller's fencing token, if it holds the lock.
   * @throws {TypeError} If `id` is not a session id.
   */
  async touch(
    id: string,
    lastAccessed: number,
    expires: number,
    options?: StoreWriteOptions,
  ): Promise<void> {
    checkId(id, "touch session");
    const record = await this.#read(id);
    if (!record) return;
    if (options?.fence === undefined && record.expires <= this.#clock.now()) return;
    await this.save(id, { ...record, lastAccessed, expires }, options);
  }

  /**
   * Deletes a session.
   *
   * @param id The session id.
   * @param _options Ignored (no fence check for an OS lock).
   * @throws {TypeError} If `id` is not a session id.
   */
  async destroy(id: string, _options?: StoreWriteOptions): Promise<void> {
    checkId(id, "destroy session");
    await Deno.remove(this.#path(id, "json")).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  /**
   * Locks a session id for `owner`: reentrant and FIFO within this process, and an OS
   * file lock across processes.
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

  async #tryOsLock(id: string): Promise<OuterLock | undefined> {
    const path = this.#path(id, "lock");
    const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
    let held = false;
    try {
      if (!(await file.tryLock(true))) return undefined;
      // The previous holder may have unlinked this file before we locked it; a lock on
      // an unlinked file excludes nobody, so start again on the current file.
      const [mine, current] = [await file.stat(), await Deno.stat(path).catch(() => undefined)];
      if (!current || current.ino !== mine.ino || current.dev !== mine.dev) return undefined;
      held = true;
      return { fence: ++this.#fence, release: () => this.#releaseOsLock(id, file) };
    } finally {
      if (!held) file.close();
    }
  }

  async #releaseOsLock(id: string, file: Deno.FsFile): Promise<void> {
    try {
      // Lock files of sessions that were never saved or were destroyed are removed
      // while still held, so the folder does not fill with them.
      const exists = await Deno.stat(this.#path(id, "json")).then(() => true, () => false);
      if (!exists) await Deno.remove(this.#path(id, "lock")).catch(() => {});
    } finally {
      file.close();
    }
  }

  /**
   * Removes expired sessions (skipping any that is locked right now) and the temp files of
   * killed writers.
   *
   * @returns How many sessions were removed.
   */
  async sweep(): Promise<number> {
    const now = this.#clock.now();
    let removed = 0;
    const names: string[] = [];
    for await (const entry of Deno.readDir(this.#dir)) {
      if (!entry.isFile) continue;
      names.push(entry.name);
      const id = entry.name.slice(0, -".json".length);
      if (!entry.name.endsWith(".json") || !isId(id)) continue;
      const record = await this.#read(id).catch(() => undefined);
      if (record && record.expires > now) continue;
      const lock = await this.#tryOsLock(id).catch(() => undefined);
      if (!lock) continue;
      try {
        const again = await this.load(id).catch(() => undefined);
        if (!again) {
          await this.destroy(id);
          removed++;
        }
      } finally {
        await lock.release();
      }
    }
    this.#removeOrphansSync(names);
    return removed;
  }

  /**
   * Stops the sweeper and gives up the writer lock; idempotent.
   *
   * @returns A promise that resolves when stopped.
   */
  close(): Promise<void> {
    this.#stopSweeper();
    const writerLock = this.#writerLock;
    this.#writerLock = undefined;
    if (writerLock) {
      try {
        Deno.removeSync(`${this.#dir}/.writer-${this.#writer}.lock`);
      } catch {
        // The folder is gone already.
      }
      writerLock.close();
    }
    return Promise.resolve();
  }

  /**
   * Same as {@linkcode FileStore.prototype.close}.
   *
   * @returns A promise that resolves when stopped.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
