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

interface Epoch {
  owner: unknown;
  holds: number;
  ready: Promise<OuterLock>;
  /** The outer lock when it was granted at once (no outer lock to take): no await needed. */
  granted?: OuterLock;
}

interface Entry {
  lock: ReentrantLock;
  epoch?: Epoch;
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

  async acquire(id: string, owner: unknown, options: StoreLockOptions = {}): Promise<SessionLock> {
    const timeout = options.timeout ?? this.#timeout;
    const deadline = performance.now() + timeout;
    let entry = this.#entries.get(id);
    if (!entry) {
      entry = {
        lock: new ReentrantLock({ timeout, subject: `session ${id.slice(0, 8)}…` }),
      };
      this.#entries.set(id, entry);
    }
    // Uncontended (the common case): take the lock without a promise round trip.
    let hold: ReentrantLockHold | undefined = entry.lock.tryAcquire(owner);
    if (!hold) {
      try {
        hold = await entry.lock.acquire(owner, { timeout, signal: options.signal });
      } catch (error) {
        this.#forget(id, entry);
        throw error;
      }
    }
    const held = hold;
    let epoch = entry.epoch;
    if (!epoch || epoch.owner !== owner || epoch.holds === 0) {
      const granted = this.#acquireOuter
        ? undefined
        : { fence: ++this.#fence, release: () => Promise.resolve() };
      epoch = {
        owner,
        holds: 0,
        ready: granted
          ? Promise.resolve(granted)
          : this.#acquireOuter!(id, deadline, timeout, options.signal),
        granted,
      };
      // Settled rejections are handled by every joiner below.
      epoch.ready.catch(() => {});
      entry.epoch = epoch;
    }
    epoch.holds++;
    const current = epoch;
    const currentEntry = entry;
    let released: Promise<void> | undefined;
    const release = (): Promise<void> =>
      released ??= (async () => {
        current.holds--;
        if (current.holds === 0) {
          if (currentEntry.epoch === current) currentEntry.epoch = undefined;
          // Free the outer lock before the local hand-over, so the next owner in
          // this process does not poll for a lock that is about to be free.
          if (!current.granted) await current.ready.then((outer) => outer.release(), () => {});
        }
        held.release();
        this.#forget(id, currentEntry);
      })();
    let outer = current.granted;
    if (!outer) {
      try {
        outer = await current.ready;
      } catch (error) {
        await release();
        throw error;
      }
    }
    return {
      id,
      fence: outer.fence,
      release,
      [Symbol.asyncDispose]: release,
    };
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
