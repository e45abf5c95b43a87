// Copyright 2025 the pubkit authors. MIT license.

import { Redis, ReplyError } from "ioredis";
import { checkId } from "./_ids.ts";
import { LockTable, type OuterLock, pollUntil } from "./_lock_table.ts";
import { checkNumber, checkOptions, checkRecord, systemClock } from "./_store_common.ts";
import { LockLostError } from "./lock_lost_error.ts";
import { StoreUnavailableError } from "./store_unavailable_error.ts";
import type {
  Clock,
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

/** Options for {@linkcode RedisStore}. */
export interface RedisStoreOptions {
  /** The Redis URL. Defaults to `redis://127.0.0.1:6379`. */
  url?: string;
  /** Prefix of every key this store uses. Defaults to `"pubkit:session:"`. */
  prefix?: string;
  /** Default lock acquire timeout in milliseconds. Defaults to `10_000`. */
  lockTimeout?: number;
  /**
   * Lease time of a lock in milliseconds: how long a crashed holder blocks the
   * session. Renewed every third of it while held. Defaults to `10_000`.
   */
  leaseTtl?: number;
  /** How long the newest fencing token of a session is kept. Defaults to 24 h. */
  fenceTtl?: number;
  /** Connect timeout in milliseconds. Defaults to `1_000`. */
  connectTimeout?: number;
  /** Per-command timeout in milliseconds. Defaults to `2_000`. */
  commandTimeout?: number;
  /** Called with a line when the connection is lost or back. Defaults to `console.error`. */
  log?: (line: string) => void;
  /** The time source for expiry. Defaults to `Date.now`. */
  clock?: Clock;
}

const KNOWN = [
  "url",
  "prefix",
  "lockTimeout",
  "leaseTtl",
  "fenceTtl",
  "connectTimeout",
  "commandTimeout",
  "log",
  "clock",
] as const;

const FENCE_CHECK = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
`;

// A locked session's data outlives its lease, so that the holder can renew it when it
// finishes even past its expiry (load() still checks the expiry).
const KEEP_DATA = `
  local left = redis.call('PTTL', KEYS[3])
  if left >= 0 and left < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[3], ARGV[2]) end`;

const SCRIPTS = {
  // KEYS: data, fence. ARGV: fence|'' , data, created, lastAccessed, expires, ttl
  pubkitSave: FENCE_CHECK + `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'created', ARGV[3], 'lastAccessed', ARGV[4],
  'expires', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1`,
  // KEYS: data, fence. ARGV: fence|'', lastAccessed, expires, ttl, now. Without a fence (the
  // caller holds no lock) a session past its expiry is not revived.
  pubkitTouch: FENCE_CHECK + `
local expires = redis.call('HGET', KEYS[1], 'expires')
if not expires then return 1 end
if ARGV[1] == '' and tonumber(expires) <= tonumber(ARGV[5]) then return 1 end
redis.call('HSET', KEYS[1], 'lastAccessed', ARGV[2], 'expires', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`,
  // KEYS: data, fence. ARGV: fence|''
  pubkitDestroy: FENCE_CHECK + `
redis.call('DEL', KEYS[1])
return 1`,
  // KEYS: lock, fence, data. ARGV: token, leaseTtl, fenceTtl
  pubkitAcquire: `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local fence = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])` + KEEP_DATA + `
  return fence
end
return 0`,
  // KEYS: lock. ARGV: token
  pubkitRelease: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  // KEYS: lock, data. ARGV: token, leaseTtl
  pubkitRenew: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])` + KEEP_DATA.replaceAll("KEYS[3]", "KEYS[2]") + `
  return 1
end
return 0`,
} as const;

type ScriptName = keyof typeof SCRIPTS;

/**
 * A session store in Redis (through the `ioredis` client), for several processes
 * and hosts.
 *
 * Each session is a hash whose Redis TTL equals the session's expiry. The lock is a
 * lease (`SET key token NX PX ttl`, released by compare-and-delete, renewed while
 * held, waited for with bounded back-off), taken once per owner on top of a local
 * reentrant lock. Each acquisition takes a fencing token (`INCR`); a write carrying an
 * older token than the newest is refused with `LockLostError`, so a holder that paused
 * past its lease cannot overwrite newer data. When Redis cannot be reached, calls fail
 * quickly with `StoreUnavailableError` and the client keeps reconnecting in the
 * background.
 *
 * @example Storing and loading a session (needs Redis at REDIS_URL)
 * ```ts ignore
 * import { RedisStore } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * await using store = new RedisStore({ url: "redis://127.0.0.1:6379", prefix: "doc:" });
 * const id = "c".repeat(43);
 * const now = Date.now();
 * await store.save(id, { data: { n: 1 }, created: now, lastAccessed: now, expires: now + 60_000 });
 * assert.deepEqual((await store.load(id))?.data, { n: 1 });
 * await store.destroy(id);
 * ```
 */
export class RedisStore implements SessionStore, AsyncDisposable {
  #client: Redis;
  #prefix: string;
  #locks: LockTable;
  #clock: Clock;
  #leaseTtl: number;
  #fenceTtl: number;
  #url: string;
  #closed: Promise<void> | undefined;
  #down = false;
  #renewals = new Set<ReturnType<typeof setInterval>>();

  /**
   * Creates the store and starts connecting.
   *
   * @param options URL, key prefix, lock and lease times, timeouts, logger and clock.
   * @throws {RangeError} For an unknown or out-of-range option.
   */
  constructor(options: RedisStoreOptions = {}) {
    const action = "create RedisStore";
    checkOptions(options, KNOWN, action);
    this.#url = options.url ?? "redis://127.0.0.1:6379";
    this.#prefix = options.prefix ?? "pubkit:session:";
    const lockTimeout = checkNumber(options.lockTimeout ?? 10_000, "lockTimeout", action);
    this.#leaseTtl = checkNumber(options.leaseTtl ?? 10_000, "leaseTtl", action, 30);
    this.#fenceTtl = checkNumber(options.fenceTtl ?? 86_400_000, "fenceTtl", action, 1);
    const connectTimeout = checkNumber(options.connectTimeout ?? 1000, "connectTimeout", action);
    const commandTimeout = checkNumber(options.commandTimeout ?? 2000, "commandTimeout", action);
    this.#clock = options.clock ?? systemClock;
    const log = options.log ?? ((line: string) => console.error(line));
    this.#client = new Redis(this.#url, {
      connectTimeout,
      commandTimeout,
      // Fail queued commands at the first failed connection attempt instead of
      // holding them through retries: callers get a 503 quickly, not a hang.
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
    });
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      // No fixed key count: every call passes it first, as EVALSHA expects.
      this.#client.defineCommand(name, { lua });
    }
    this.#client.on("error", (error: Error) => {
      if (this.#down) return;
      this.#down = true;
      log(
        `RedisStore: cannot reach ${redact(this.#url)} (${error.message}); ` +
          `session requests fail fast until it is back`,
      );
    });
    // The connection alone must not keep the process alive (`deno serve` stops a worker by
    // waiting for its event loop to empty); requests in flight keep it alive while they run.
    this.#client.on("connect", () => {
      (this.#client as unknown as { stream?: { unref?: () => void } }).stream?.unref?.();
    });
    this.#client.on("ready", () => {
      if (!this.#down) return;
      this.#down = false;
      log(`RedisStore: ${redact(this.#url)} is reachable again`);
    });
    this.#locks = new LockTable(
      lockTimeout,
      (id, deadline, timeout, signal) =>
        pollUntil(() => this.#tryLease(id), deadline, timeout, {
          signal,
          subject: `session ${id.slice(0, 8)}…`,
          minDelay: 5,
          maxDelay: 100,
        }),
    );
  }

  #key(id: string, kind: "data" | "lock" | "fence"): string {
    // The hash tag keeps one session's keys in one cluster slot, for the scripts.
    return `${this.#prefix}{${id}}:${kind}`;
  }

  async #call<T>(action: string, run: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new TypeError(`Cannot ${action}: the store is closed`);
    try {
      return await run();
    } catch (error) {
      if (error instanceof ReplyError || error instanceof LockLostError) throw error;
      throw new StoreUnavailableError(action, error);
    }
  }

  #script(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const command = (this.#client as unknown as Record<
      string,
      (...args: (string | number)[]) => Promise<unknown>
    >)[name]!;
    return command.call(this.#client, keys.length, ...keys, ...args);
  }

  /**
   * Reads a session.
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or expired.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async load(id: string): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    return await this.#call("load session", async () => {
      const hash = await this.#client.hgetall(this.#key(id, "data"));
      if (!hash.data) return undefined;
      const record: SessionRecord = {
        data: JSON.parse(hash.data),
        created: Number(hash.created),
        lastAccessed: Number(hash.lastAccessed),
        expires: Number(hash.expires),
      };
      return record.expires <= this.#clock.now() ? undefined : record;
    });
  }

  /**
   * Writes a session whole, with a Redis TTL equal to its expiry.
   *
   * @param id The session id.
   * @param record The record.
   * @param options The caller's fencing token, checked atomically.
   * @throws {TypeError} If `id` or `record` is malformed, or the data is not JSON.
   * @throws {LockLostError} If a newer lock holder exists.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async save(id: string, record: SessionRecord, options: StoreWriteOptions = {}): Promise<void> {
    checkId(id, "save session");
    checkRecord(record, "save session");
    const data = JSON.stringify(record.data);
    const ttl = Math.ceil(record.expires - this.#clock.now());
    if (ttl <= 0) return await this.destroy(id, options);
    return await this.#fenced("save session", options, [
      "pubkitSave",
      [data, record.created, record.lastAccessed, record.expires, ttl],
    ], id);
  }

  /**
   * Updates the access time and expiry (and Redis TTL) of an existing session; with a fence
   * (the caller holds the lock) also of one that expired while held, whose key the lease kept.
   *
   * @param id The session id.
   * @param lastAccessed The new access time.
   * @param expires The new expiry.
   * @param options The caller's fencing token.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockLostError} If a newer lock holder exists.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async touch(
    id: string,
    lastAccessed: number,
    expires: number,
    options: StoreWriteOptions = {},
  ): Promise<void> {
    checkId(id, "touch session");
    const ttl = Math.ceil(expires - this.#clock.now());
    if (ttl <= 0) return await this.destroy(id, options);
    return await this.#fenced("touch session", options, [
      "pubkitTouch",
      [lastAccessed, expires, ttl, this.#clock.now()],
    ], id);
  }

  /**
   * Deletes a session.
   *
   * @param id The session id.
   * @param options The caller's fencing token.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockLostError} If a newer lock holder exists.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async destroy(id: string, options: StoreWriteOptions = {}): Promise<void> {
    checkId(id, "destroy session");
    return await this.#fenced("destroy session", options, ["pubkitDestroy", []], id);
  }

  #fenced(
    action: string,
    options: StoreWriteOptions,
    [name, args]: [ScriptName, (string | number)[]],
    id: string,
  ): Promise<void> {
    const fence = options.fence === undefined ? "" : String(options.fence);
    return this.#call(action, async () => {
      const ok = await this.#script(name, [this.#key(id, "data"), this.#key(id, "fence")], [
        fence,
        ...args,
      ]);
      if (ok !== 1) throw new LockLostError(options.fence!);
    });
  }

  /**
   * Locks a session id for `owner`: reentrant and FIFO within this process, a fenced
   * Redis lease across processes.
   *
   * @param id The session id.
   * @param owner The owner token, compared by identity.
   * @param options Timeout and signal.
   * @returns A hold to release.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {LockTimeoutError} If another owner holds it past the timeout.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async lock(id: string, owner: unknown, options?: StoreLockOptions): Promise<SessionLock> {
    checkId(id, "lock session");
    return await this.#locks.acquire(id, owner, options);
  }

  async #tryLease(id: string): Promise<OuterLock | undefined> {
    const token = crypto.randomUUID();
    const lockKey = this.#key(id, "lock");
    const fence = await this.#call(
      "lock session",
      () =>
        this.#script("pubkitAcquire", [lockKey, this.#key(id, "fence"), this.#key(id, "data")], [
          token,
          this.#leaseTtl,
          this.#fenceTtl,
        ]),
    ) as number;
    if (!fence) return undefined;
    const timer = setInterval(() => {
      this.#script("pubkitRenew", [lockKey, this.#key(id, "data")], [token, this.#leaseTtl])
        .catch(() => {});
    }, Math.max(10, Math.floor(this.#leaseTtl / 3)));
    this.#renewals.add(timer);
    let released: Promise<void> | undefined;
    return {
      fence,
      release: () =>
        released ??= (async () => {
          clearInterval(timer);
          this.#renewals.delete(timer);
          // A failed release is not an error: the lease runs out by itself.
          if (!this.#closed) {
            await this.#script("pubkitRelease", [lockKey], [token]).catch(() => {});
          }
        })(),
    };
  }

  /**
   * Does nothing: Redis expires sessions itself through their TTL.
   *
   * @returns `0`.
   */
  sweep(): Promise<number> {
    return Promise.resolve(0);
  }

  /**
   * Stops lease renewals and closes the connection; idempotent.
   *
   * @returns A promise that resolves once the connection is closed.
   */
  close(): Promise<void> {
    return this.#closed ??= (async () => {
      for (const timer of this.#renewals) clearInterval(timer);
      this.#renewals.clear();
      const status = this.#client.status;
      if (status === "ready") {
        await this.#client.quit().catch(() => this.#client.disconnect());
      } else {
        this.#client.disconnect();
      }
      // Between reconnect attempts there is no socket, and ioredis never reaches "end":
      // disconnect() only cancels the retry timer.
      if (status === "reconnecting" || status === "end") {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return;
      }
      for (let i = 0; i < 400 && this.#client.status !== "end"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
  }

  /**
   * Same as {@linkcode RedisStore.prototype.close}.
   *
   * @returns A promise that resolves once closed.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}
