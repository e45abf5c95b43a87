// Copyright 2025 the pubkit authors. MIT license.

import { LockTimeoutError } from "./errors.ts";
import { ReentrantLock, type ReentrantLockHold } from "./reentrant_lock.ts";
import type { FinalWrite, SessionLock, SessionRecord, StoreLockOptions } from "./session_store.ts";

/** A lock outside this process (OS file lock, Redis lease) taken once per ownership. */
export interface OuterLock {
  fence: number;
  /** With `load`, what the store read while taking the lock (`null`: no session). */
  record?: SessionRecord | null;
  release(): Promise<void>;
  /** Writes under the fence and releases, in one round trip. */
  commit?(write: FinalWrite): Promise<void>;
}

/** Acquires the outer lock before `deadline` (a `performance.now()` value). */
export type AcquireOuter = (
  id: string,
  deadline: number,
  timeout: number,
  signal: AbortSignal | undefined,
  load: boolean,
) => Promise<OuterLock>;

/** How the table reaches outside this process; both optional. */
export interface LockTableOptions {
  /** Takes the outer lock of an ownership (none: a lock within this process only). */
  acquireOuter?: AcquireOuter;
  /** Writes a final write under a fence without releasing (for `commit()` of a re-entrant hold). */
  write?: (id: string, write: FinalWrite, fence: number) => Promise<void>;
}

/**
 * One id's lock: the local reentrant lock (whose hold count is the one re-entry count) and what
 * the current ownership took outside the process.
 */
interface Entry {
  readonly lock: ReentrantLock;
  /** The current ownership's fencing token; 0 while its outer lock is being taken. */
  fence: number;
  /** The current ownership's outer lock, being taken or taken. */
  outer: Promise<OuterLock> | undefined;
}

const RELEASED = Promise.resolve();

// A class rather than an object literal with a computed symbol key, which V8 builds in
// dictionary mode: one is made per acquire.
class TableLock implements SessionLock {
  readonly id: string;
  readonly fence: number;
  readonly record: SessionRecord | null | undefined;
  #release: () => Promise<void>;
  #released: Promise<void> | undefined;

  constructor(
    id: string,
    fence: number,
    record: SessionRecord | null | undefined,
    release: () => Promise<void>,
  ) {
    this.id = id;
    this.fence = fence;
    this.record = record;
    this.#release = release;
  }

  release(): Promise<void> {
    return this.#released ??= this.#release();
  }

  /** Runs `last` instead of the plain release, once; a later release() returns its promise. */
  protected releaseWith(last: () => Promise<void>): Promise<void> {
    if (this.#released !== undefined) return Promise.reject(new TypeError(RELEASED_ALREADY));
    return this.#released = last();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

const RELEASED_ALREADY = "Cannot commit the session: its lock was already released";

/** A lock of a table whose store can write and release in one round trip. */
class CommitLock extends TableLock {
  #commit: (write: FinalWrite) => Promise<void>;

  constructor(
    id: string,
    fence: number,
    record: SessionRecord | null | undefined,
    release: () => Promise<void>,
    commit: (write: FinalWrite) => Promise<void>,
  ) {
    super(id, fence, record, release);
    this.#commit = commit;
  }

  commit(write: FinalWrite): Promise<void> {
    return this.releaseWith(() => this.#commit(write));
  }
}

/**
 * Reentrant locks per session id. Owners of one id queue on a local `ReentrantLock` (a
 * `WaitQueue` underneath; distinct ids never wait on each other); the owner at the head then
 * takes the optional outer lock once for its whole ownership, however many times it re-enters:
 * the lock's hold count tells when an ownership starts (1) and ends (back to 0).
 */
export class LockTable {
  #entries = new Map<string, Entry>();
  #timeout: number;
  #acquireOuter: AcquireOuter | undefined;
  #write: LockTableOptions["write"];
  #fence = 0;

  constructor(timeout: number, options: LockTableOptions = {}) {
    this.#timeout = timeout;
    this.#acquireOuter = options.acquireOuter;
    this.#write = options.write;
  }

  /** How many ids currently have a lock entry (for leak tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether an owner in this process holds `id` now. */
  isHeld(id: string): boolean {
    return this.#entries.get(id)?.lock.locked ?? false;
  }

  acquire(id: string, owner: unknown, options: StoreLockOptions = {}): Promise<SessionLock> {
    const timeout = options.timeout ?? this.#timeout;
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      entry = {
        lock: new ReentrantLock({ timeout, subject: `session ${id.slice(0, 8)}…` }),
        fence: 0,
        outer: undefined,
      };
      this.#entries.set(id, entry);
    }
    let hold: ReentrantLockHold | undefined;
    try {
      hold = entry.lock.tryAcquire(owner);
    } catch (error) {
      this.#forget(id, entry);
      return Promise.reject(error);
    }
    // Uncontended with no outer lock (the common case): no await at all.
    if (hold !== undefined && this.#acquireOuter === undefined) {
      if (entry.lock.holdCount === 1) entry.fence = ++this.#fence;
      const taken = hold;
      return Promise.resolve(
        new TableLock(id, entry.fence, undefined, () => this.#release(id, entry, taken)),
      );
    }
    return this.#acquire(id, entry, owner, hold, timeout, options);
  }

  async #acquire(
    id: string,
    entry: Entry,
    owner: unknown,
    hold: ReentrantLockHold | undefined,
    timeout: number,
    options: StoreLockOptions,
  ): Promise<SessionLock> {
    const deadline = performance.now() + timeout;
    const { signal } = options;
    if (hold === undefined) {
      try {
        hold = await entry.lock.acquire(owner, { timeout, signal });
      } catch (error) {
        this.#forget(id, entry);
        throw error;
      }
    }
    const acquireOuter = this.#acquireOuter;
    const starts = entry.lock.holdCount === 1;
    if (starts) {
      if (acquireOuter === undefined) {
        entry.fence = ++this.#fence;
      } else {
        entry.fence = 0;
        entry.outer = acquireOuter(id, deadline, timeout, signal, options.load ?? false);
        // Settled rejections are handled by every joiner.
        entry.outer.catch(() => {});
      }
    }
    let record: SessionRecord | null | undefined;
    if (entry.outer !== undefined) {
      try {
        const outer = await entry.outer;
        entry.fence = outer.fence;
        // Only the hold that started the ownership read the session with the lock.
        if (starts) record = outer.record;
      } catch (error) {
        await this.#release(id, entry, hold);
        throw error;
      }
    }
    const taken = hold;
    const release = () => this.#release(id, entry, taken);
    const fence = entry.fence;
    return this.#write === undefined
      ? new TableLock(id, fence, record, release)
      : new CommitLock(id, fence, record, release, (write) =>
        this.#commit(id, entry, taken, fence, write));
  }

  #release(id: string, entry: Entry, hold: ReentrantLockHold): Promise<void> {
    const outer = entry.lock.holdCount === 1 ? entry.outer : undefined;
    if (outer !== undefined) {
      entry.outer = undefined;
      // Free the outer lock before the local hand-over, so the next owner in this process does
      // not poll for a lock that is about to be free.
      return outer.then((taken) => taken.release(), () => {})
        .then(() => this.#handOver(id, entry, hold));
    }
    this.#handOver(id, entry, hold);
    return RELEASED;
  }

  /** Writes `write` and releases `hold`: the last hold of an ownership in one step. */
  #commit(
    id: string,
    entry: Entry,
    hold: ReentrantLockHold,
    fence: number,
    write: FinalWrite,
  ): Promise<void> {
    const outer = entry.lock.holdCount === 1 ? entry.outer : undefined;
    if (outer === undefined) {
      return this.#write!(id, write, fence).finally(() => this.#release(id, entry, hold));
    }
    entry.outer = undefined;
    return outer.then((taken) =>
      taken.commit !== undefined
        ? taken.commit(write)
        : this.#write!(id, write, fence).finally(() => taken.release())
    ).finally(() => this.#handOver(id, entry, hold));
  }

  #handOver(id: string, entry: Entry, hold: ReentrantLockHold): void {
    hold.release();
    this.#forget(id, entry);
  }

  #forget(id: string, entry: Entry): void {
    if (!entry.lock.locked && entry.lock.waiting === 0 && this.#entries.get(id) === entry) {
      this.#entries.delete(id);
    }
  }
}

/**
 * Calls `attempt` with growing, jittered pauses until it returns a value, the
 * deadline passes (`LockTimeoutError`) or the signal aborts (`signal.reason`).
 */
export async function pollUntil<T>(
  attempt: () => Promise<T | undefined>,
  deadline: number,
  timeout: number,
  options: { signal?: AbortSignal; subject?: string; minDelay?: number; maxDelay?: number } = {},
): Promise<T> {
  const { signal, minDelay = 2, maxDelay = 50 } = options;
  let delay = minDelay;
  for (;;) {
    signal?.throwIfAborted();
    const value = await attempt();
    if (value !== undefined) return value;
    const left = deadline - performance.now();
    if (left <= 0) throw new LockTimeoutError(timeout, { subject: options.subject });
    await sleep(Math.min(left, delay * (0.5 + Math.random())), signal);
    delay = Math.min(maxDelay, delay * 2);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
