// Copyright 2025 the pubkit authors. MIT license.

import { LockTimeoutError } from "./lock_timeout_error.ts";
import { ReentrantLock, type ReentrantLockHold } from "./reentrant_lock.ts";
import type { SessionLock, StoreLockOptions } from "./session_store.ts";

/** A lock outside this process (OS file lock, Redis lease) taken once per owner. */
export interface OuterLock {
  fence: number;
  release(): Promise<void>;
}

/** Acquires the outer lock before `deadline` (a `performance.now()` value). */
export type AcquireOuter = (
  id: string,
  deadline: number,
  timeout: number,
  signal?: AbortSignal,
) => Promise<OuterLock>;

/** One owner's continuous holding of an id: the outer lock is taken once for all of it. */
class Epoch {
  readonly owner: unknown;
  holds = 0;
  /** The fencing token: known at once for a local lock, once `ready` settles otherwise. */
  fence: number | undefined;
  /** The outer lock being taken, when there is one. */
  readonly ready: Promise<OuterLock> | undefined;

  constructor(owner: unknown, fence: number | undefined, ready: Promise<OuterLock> | undefined) {
    this.owner = owner;
    this.fence = fence;
    this.ready = ready;
    // Settled rejections are handled by every joiner.
    ready?.catch(() => {});
  }
}

interface Entry {
  lock: ReentrantLock;
  epoch?: Epoch;
}

/** How long an acquire may wait, for the local lock and then the outer one. */
interface Wait {
  timeout: number;
  /** A `performance.now()` value. */
  deadline: number;
  signal?: AbortSignal;
}

const RELEASED = Promise.resolve();

// A class rather than an object literal with a computed symbol key, which V8 builds in
// dictionary mode: one is made per acquire.
class TableLock implements SessionLock {
  readonly id: string;
  readonly fence: number;
  #release: () => Promise<void>;
  #released: Promise<void> | undefined;

  constructor(id: string, fence: number, release: () => Promise<void>) {
    this.id = id;
    this.fence = fence;
    this.#release = release;
  }

  release(): Promise<void> {
    return this.#released ??= this.#release();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

/**
 * Reentrant locks per session id. Owners of one id queue on a local
 * `ReentrantLock` (so distinct ids never wait on each other); the owner at the head
 * then takes the optional outer lock once for its whole ownership, however many times
 * it re-enters.
 */
export class LockTable {
  #entries = new Map<string, Entry>();
  #timeout: number;
  #acquireOuter: AcquireOuter | undefined;
  #fence = 0;

  constructor(timeout: number, acquireOuter?: AcquireOuter) {
    this.#timeout = timeout;
    this.#acquireOuter = acquireOuter;
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
    if (!entry) {
      entry = {
        lock: new ReentrantLock({ timeout, subject: `session ${id.slice(0, 8)}…` }),
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
    if (hold && !this.#acquireOuter) return Promise.resolve(this.#grant(id, entry, owner, hold));
    const deadline = performance.now() + timeout;
    return this.#acquire(id, entry, owner, hold, { timeout, deadline, signal: options.signal });
  }

  async #acquire(
    id: string,
    entry: Entry,
    owner: unknown,
    hold: ReentrantLockHold | undefined,
    wait: Wait,
  ): Promise<SessionLock> {
    if (!hold) {
      try {
        hold = await entry.lock.acquire(owner, { timeout: wait.timeout, signal: wait.signal });
      } catch (error) {
        this.#forget(id, entry);
        throw error;
      }
    }
    const lock = this.#grant(id, entry, owner, hold, wait);
    const epoch = entry.epoch!;
    if (epoch.fence !== undefined) return lock;
    try {
      epoch.fence = (await epoch.ready!).fence;
    } catch (error) {
      await lock.release();
      throw error;
    }
    return new TableLock(id, epoch.fence!, () => lock.release());
  }

  /**
   * Counts one more hold in the owner's epoch, starting one (and its outer lock) if needed.
   * The lock's fence is 0 while the outer lock is still being taken (see `#acquire`).
   */
  #grant(
    id: string,
    entry: Entry,
    owner: unknown,
    hold: ReentrantLockHold,
    wait?: Wait,
  ): TableLock {
    let epoch = entry.epoch;
    if (!epoch || epoch.owner !== owner || epoch.holds === 0) {
      const outer = this.#acquireOuter;
      epoch = entry.epoch = outer
        ? new Epoch(owner, undefined, outer(id, wait!.deadline, wait!.timeout, wait!.signal))
        : new Epoch(owner, ++this.#fence, undefined);
    }
    epoch.holds++;
    const current = epoch;
    return new TableLock(id, epoch.fence ?? 0, () => this.#release(id, entry, current, hold));
  }

  #release(id: string, entry: Entry, epoch: Epoch, hold: ReentrantLockHold): Promise<void> {
    epoch.holds--;
    if (epoch.holds === 0) {
      if (entry.epoch === epoch) entry.epoch = undefined;
      // Free the outer lock before the local hand-over, so the next owner in this process does
      // not poll for a lock that is about to be free.
      if (epoch.ready) {
        return epoch.ready.then((outer) => outer.release(), () => {})
          .then(() => this.#handOver(id, entry, hold));
      }
    }
    this.#handOver(id, entry, hold);
    return RELEASED;
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
