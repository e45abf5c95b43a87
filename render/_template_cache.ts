// The per-engine compiled-template cache shared by both engines.
import { LRUCache } from "lru-cache";

/** Reads a template file, recording it as a dependency of the compile in progress. */
export type ReadFile = (path: string) => Promise<string>;

/** A pending compile that remembers its entry once settled (for the synchronous `peek`). */
type Pending<T> = Promise<Entry<T>> & { settled?: Entry<T> };

interface Entry<T> {
  value: T;
  /** File → mtime (ms) when compiled; `null` when the file had no mtime. */
  stamps: Map<string, number | null>;
}

/** Reads a file's mtime, or `undefined` when it is gone. */
async function mtimeOf(path: string): Promise<number | null | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.mtime?.getTime() ?? null;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * A bounded LRU of compiled templates. Concurrent loads of one key share one
 * compile. In dev mode every hit re-stats the whole set of files the template
 * was built from and recompiles when any mtime changed or a file vanished.
 */
export class TemplateCache<T> {
  #lru: LRUCache<string, Pending<T>>;
  #dev: boolean;
  #compile: (key: string, read: ReadFile) => Promise<T>;

  constructor(max: number, dev: boolean, compile: (key: string, read: ReadFile) => Promise<T>) {
    this.#lru = new LRUCache({ max });
    this.#dev = dev;
    this.#compile = compile;
  }

  get size(): number {
    return this.#lru.size;
  }

  clear(): void {
    this.#lru.clear();
  }

  /**
   * The compiled value when it is cached and needs no check (not in dev mode), without
   * waiting: renders of a warm cache skip two microtask turns.
   */
  peek(key: string): T | undefined {
    return this.#dev ? undefined : this.#lru.get(key)?.settled?.value;
  }

  async get(key: string): Promise<T> {
    let pending = this.#lru.get(key);
    if (pending === undefined) return (await this.#load(key)).value;
    let entry: Entry<T>;
    try {
      entry = await pending;
    } catch {
      // A failed compile is dropped by #load; a concurrent caller retries once.
      pending = this.#lru.get(key) ?? this.#load(key);
      entry = await pending;
    }
    if (this.#dev && await this.#stale(entry)) {
      if (this.#lru.get(key) === pending) this.#lru.delete(key);
      return (await (this.#lru.get(key) ?? this.#load(key))).value;
    }
    return entry.value;
  }

  async #stale(entry: Entry<T>): Promise<boolean> {
    const checks = [...entry.stamps].map(async ([path, stamp]) => (await mtimeOf(path)) !== stamp);
    return (await Promise.all(checks)).some(Boolean);
  }

  #load(key: string): Pending<T> {
    const pending: Pending<T> = (async () => {
      const stamps = new Map<string, number | null>();
      const read: ReadFile = async (path) => {
        // Stamp before reading: an edit racing the read leaves an old stamp, so the
        // next dev check recompiles rather than keeping stale output.
        if (this.#dev) stamps.set(path, (await mtimeOf(path)) ?? null);
        return await Deno.readTextFile(path);
      };
      const value = await this.#compile(key, read);
      return { value, stamps };
    })();
    pending.then((entry) => pending.settled = entry, () => {});
    this.#lru.set(key, pending);
    pending.catch(() => {
      if (this.#lru.get(key) === pending) this.#lru.delete(key);
    });
    return pending;
  }
}
