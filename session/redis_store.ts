// Copyright 2025 the pubkit authors. MIT license.

import { type Clock, systemClock } from "@pubkit/async";
import { memberLog } from "@pubkit/async/log";
import { Cluster, Redis, ReplyError } from "ioredis";
import { checkId } from "./_ids.ts";
import { LockTable, type OuterLock, pollUntil } from "./_lock_table.ts";
import { checkNumber, checkOptions, checkRecord } from "./_store_common.ts";
import { LockLostError, StoreUnavailableError } from "./errors.ts";
import type {
  FinalWrite,
  Renewal,
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";

// The stores' connection reports, under LogTape's ["pubkit", "session"] when it is configured.
const SESSION_LOG = memberLog(["pubkit", "session"]);
/** Options for {@linkcode RedisStore}. */
export interface RedisStoreOptions {
  /** The Redis URL. Defaults to `redis://127.0.0.1:6379`. Not with `cluster`. */
  url?: string;
  /**
   * URLs of some nodes of a Redis Cluster (ioredis' `Cluster` client finds the rest). One
   * session's keys share a hash tag, so each script touches one slot.
   */
  cluster?: readonly string[];
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
  /**
   * Called with a line when the connection is lost or back; by default an error under LogTape's
   * `["pubkit", "session"]` when LogTape is configured, else `console.error`.
   */
  log?: (line: string) => void;
  /** The time source for expiry. Defaults to `Date.now`. */
  clock?: Clock;
}

const KNOWN = [
  "url",
  "cluster",
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

// The session's fields in the order the scripts return them.
const LOAD = `redis.call('HMGET', KEYS[3], 'data', 'created', 'lastAccessed', 'expires')`;

// The whole-record write and the times-only write, shared by the plain and the final scripts.
// KEYS[1] is the data key; ARGV from `at`: save: data, created, lastAccessed, expires, ttl;
// touch: lastAccessed, expires, ttl, now (without a fence, an expired session is not revived).
const SAVE = (at: number) => `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'data', ARGV[${at}], 'created', ARGV[${at + 1}],
  'lastAccessed', ARGV[${at + 2}], 'expires', ARGV[${at + 3}])
redis.call('PEXPIRE', KEYS[1], ARGV[${at + 4}])`;
const TOUCH = (at: number) => `
local expires = redis.call('HGET', KEYS[1], 'expires')
if expires and (ARGV[1] ~= '' or tonumber(expires) > tonumber(ARGV[${at + 3}])) then
  redis.call('HSET', KEYS[1], 'lastAccessed', ARGV[${at}], 'expires', ARGV[${at + 1}])
  redis.call('PEXPIRE', KEYS[1], ARGV[${at + 2}])
end`;

/** How long a session's recent commits are remembered, so that a resent one is answered. */
const COMMIT_MEMORY_MS = 60_000;
/** How many of a session's recent commits are remembered (a bound on its memory). */
const COMMITS_KEPT = 32;
/** Tries of a commit whose reply was lost (the connection dropped, a slot moved). */
const COMMIT_TRIES = 3;

const SCRIPTS = {
  // KEYS: data, fence. ARGV: fence|'' , data, created, lastAccessed, expires, ttl
  pubkitSave: FENCE_CHECK + SAVE(2) + `
return 1`,
  // KEYS: data, fence. ARGV: fence|'', lastAccessed, expires, ttl, now.
  pubkitTouch: FENCE_CHECK + TOUCH(2) + `
return 1`,
  // KEYS: data, fence. ARGV: fence|''
  pubkitDestroy: FENCE_CHECK + `
redis.call('DEL', KEYS[1])
return 1`,
  // KEYS: lock, fence, data. ARGV: token, leaseTtl, fenceTtl, load ('1' or '').
  // Returns 0 if held by another, else the fence, or with load {fence, data fields...}.
  pubkitAcquire: `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local fence = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])` + KEEP_DATA + `
  if ARGV[4] == '1' then return {fence, unpack(${LOAD})} end
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
  // KEYS: lock, data. The fields of a session whose lease is held, else nil.
  pubkitLoadHeld: `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
return ${LOAD.replace("KEYS[3]", "KEYS[2]")}`,
  // A read-only request's load and renewal. KEYS: data, lock. ARGV: now, idleTimeout,
  // absoluteLifetime. Returns the fields as they were.
  pubkitLoadTouch: `
local r = ${LOAD.replace("KEYS[3]", "KEYS[1]")}
if r[1] and redis.call('EXISTS', KEYS[2]) == 0 then
  local now, created = tonumber(ARGV[1]), tonumber(r[2])
  local idle, lifetime = tonumber(ARGV[2]), tonumber(ARGV[3])
  if tonumber(r[4]) > now and tonumber(r[3]) + idle > now and created + lifetime > now then
    local expires = math.min(now + idle, created + lifetime)
    redis.call('HSET', KEYS[1], 'lastAccessed', ARGV[1], 'expires', string.format('%.0f', expires))
    redis.call('PEXPIRE', KEYS[1], string.format('%.0f', expires - now))
  end
end
return r`,
  // The last write of a locked request and the release of its lease, in one round trip.
  // KEYS: data, fence, lock, commits. ARGV: fence, token, 'save' | 'touch' | 'destroy', then
  // the write's ARGV from 4. Returns 0 (writing nothing) if the fence is stale. The lease's token
  // joins the session's recent commits for a while: run again (its reply was lost and it is
  // resent, maybe after others committed), the commit finds its token there and answers 1
  // without writing twice.
  pubkitCommit: `
local fresh = redis.call('GET', KEYS[2]) == ARGV[1]
if fresh then
  if ARGV[3] == 'save' then` + SAVE(4) + `
  elseif ARGV[3] == 'touch' then` + TOUCH(4) + `
  else redis.call('DEL', KEYS[1]) end
  redis.call('LPUSH', KEYS[4], ARGV[2])
  redis.call('LTRIM', KEYS[4], 0, ${COMMITS_KEPT - 1})
  redis.call('PEXPIRE', KEYS[4], ${COMMIT_MEMORY_MS})
end
if redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
if fresh then return 1 end
for _, token in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do
  if token == ARGV[2] then return 1 end
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
 * import { RedisStore } from "@pubkit/session/redis";
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
  #client: Redis | Cluster;
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
    const cluster = options.cluster;
    if (cluster !== undefined) {
      if (options.url !== undefined) {
        throw new RangeError(`Cannot ${action}: give "url" or "cluster", not both`);
      }
      if (!Array.isArray(cluster) || cluster.length === 0) {
        throw new RangeError(`Cannot ${action}: "cluster" must be a non-empty array of URLs`);
      }
    }
    this.#url = cluster?.join(",") ?? options.url ?? "redis://127.0.0.1:6379";
    this.#prefix = options.prefix ?? "pubkit:session:";
    const lockTimeout = checkNumber(options.lockTimeout ?? 10_000, "lockTimeout", action);
    this.#leaseTtl = checkNumber(options.leaseTtl ?? 10_000, "leaseTtl", action, 30);
    this.#fenceTtl = checkNumber(options.fenceTtl ?? 86_400_000, "fenceTtl", action, 1);
    const connectTimeout = checkNumber(options.connectTimeout ?? 1000, "connectTimeout", action);
    const commandTimeout = checkNumber(options.commandTimeout ?? 2000, "commandTimeout", action);
    this.#clock = options.clock ?? systemClock;
    const log = options.log ?? SESSION_LOG.error;
    const redisOptions = {
      connectTimeout,
      commandTimeout,
      // Fail queued commands at the first failed connection attempt instead of
      // holding them through retries: callers get a 503 quickly, not a hang.
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
    };
    this.#client = cluster === undefined
      ? new Redis(this.#url, redisOptions)
      : new Cluster(cluster.map((url) => url), {
        redisOptions,
        // While a slot moves, a command is retried briefly, then fails (a 503 with
        // Retry-After): never held for the length of a failover.
        maxRedirections: 4,
        retryDelayOnMoved: 20,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 50,
        clusterRetryStrategy: (times: number) => Math.min(times * 100, 1000),
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
    const unref = (node: unknown) =>
      (node as { stream?: { unref?: () => void } }).stream?.unref?.();
    if (this.#client instanceof Cluster) {
      this.#client.on("+node", (node: Redis) => node.on("connect", () => unref(node)));
    } else {
      this.#client.on("connect", () => unref(this.#client));
    }
    this.#client.on("ready", () => {
      if (!this.#down) return;
      this.#down = false;
      log(`RedisStore: ${redact(this.#url)} is reachable again`);
    });
    this.#locks = new LockTable(lockTimeout, {
      acquireOuter: (id, deadline, timeout, signal, load) =>
        pollUntil(() => this.#tryLease(id, load), deadline, timeout, {
          signal,
          subject: `session ${id.slice(0, 8)}…`,
          minDelay: 5,
          maxDelay: 100,
        }),
      write: (id, write, fence) =>
        "save" in write
          ? this.save(id, write.save, { fence })
          : this.touch(id, write.touch.lastAccessed, write.touch.expires, { fence }),
    });
  }

  #key(id: string, kind: "data" | "lock" | "fence" | "commits"): string {
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
      const fields = await this.#client.hmget(
        this.#key(id, "data"),
        "data",
        "created",
        "lastAccessed",
        "expires",
      );
      return this.#record(fields);
    });
  }

  /**
   * Reads a session and renews a live, unlocked one in the same script: one round trip.
   *
   * @param id The session id.
   * @param renewal The time and the manager's expiry settings.
   * @returns The record as it was, or `undefined` if missing or expired.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async loadAndTouch(id: string, renewal: Renewal): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    const { now, idleTimeout, absoluteLifetime } = renewal;
    return await this.#call("load session", async () => {
      const fields = await this.#script(
        "pubkitLoadTouch",
        [this.#key(id, "data"), this.#key(id, "lock")],
        [now, idleTimeout, absoluteLifetime],
      );
      return this.#record(fields as (string | null)[]);
    });
  }

  /**
   * Reads a session whose lease a request holds, even past its expiry (its key is kept
   * through the lease).
   *
   * @param id The session id.
   * @returns The record, or `undefined` if missing or not locked.
   * @throws {TypeError} If `id` is not a session id.
   * @throws {StoreUnavailableError} If Redis cannot be reached.
   */
  async loadHeld(id: string): Promise<SessionRecord | undefined> {
    checkId(id, "load session");
    return await this.#call("load session", async () => {
      const fields = await this.#script(
        "pubkitLoadHeld",
        [this.#key(id, "lock"), this.#key(id, "data")],
        [],
      ) as (string | null)[] | null;
      return fields === null ? undefined : this.#record(fields, true);
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

  async #tryLease(id: string, load: boolean): Promise<OuterLock | undefined> {
    const token = crypto.randomUUID();
    const keys = [this.#key(id, "lock"), this.#key(id, "fence"), this.#key(id, "data")];
    const reply = await this.#call(
      "lock session",
      () =>
        this.#script("pubkitAcquire", keys, [token, this.#leaseTtl, this.#fenceTtl, load ? 1 : ""]),
    ) as number | [number, ...(string | null)[]];
    if (!reply) return undefined;
    const fence = typeof reply === "number" ? reply : reply[0];
    const record = typeof reply === "number"
      ? undefined
      : this.#record(reply.slice(1) as (string | null)[]) ?? null;
    const [lockKey, fenceKey, dataKey] = keys;
    const timer = setInterval(() => {
      this.#script("pubkitRenew", [lockKey, dataKey], [token, this.#leaseTtl]).catch(() => {});
    }, Math.max(10, Math.floor(this.#leaseTtl / 3)));
    this.#renewals.add(timer);
    const stop = () => {
      clearInterval(timer);
      this.#renewals.delete(timer);
    };
    return {
      fence,
      record,
      release: async () => {
        stop();
        // A failed release is not an error: the lease runs out by itself.
        if (!this.#closed) await this.#script("pubkitRelease", [lockKey], [token]).catch(() => {});
      },
      commit: (write: FinalWrite) => {
        stop();
        const args = this.#finalArgs(write);
        const commitKeys = [dataKey, fenceKey, lockKey, this.#key(id, "commits")];
        return this.#call("save session", async () => {
          // A commit whose reply is lost may have run: it is tried again (the commit key makes
          // a second run answer 1 without writing twice), so that the request answers what
          // happened instead of a 503 for a write that is in.
          for (let tries = 1;; tries++) {
            try {
              const ok = await this.#script("pubkitCommit", commitKeys, [fence, token, ...args]);
              if (ok !== 1) throw new LockLostError(fence);
              return;
            } catch (error) {
              if (error instanceof ReplyError || error instanceof LockLostError) throw error;
              if (tries >= COMMIT_TRIES || this.#closed) throw error;
            }
          }
        });
      },
    };
  }

  /** The mode and arguments of `pubkitCommit` for a final write. */
  #finalArgs(write: FinalWrite): (string | number)[] {
    const now = this.#clock.now();
    if ("save" in write) {
      const { data, created, lastAccessed, expires } = write.save;
      checkRecord(write.save, "save session");
      const ttl = Math.ceil(expires - now);
      if (ttl <= 0) return ["destroy"];
      return ["save", JSON.stringify(data), created, lastAccessed, expires, ttl];
    }
    const { lastAccessed, expires } = write.touch;
    const ttl = Math.ceil(expires - now);
    return ttl <= 0 ? ["destroy"] : ["touch", lastAccessed, expires, ttl, now];
  }

  /** A record from the data hash's fields, or `undefined` if missing or (unless held) expired. */
  #record([data, created, lastAccessed, expires]: (string | null | undefined)[], held = false):
    | SessionRecord
    | undefined {
    if (data === null || data === undefined) return undefined;
    const record: SessionRecord = {
      data: JSON.parse(data),
      created: Number(created),
      lastAccessed: Number(lastAccessed),
      expires: Number(expires),
    };
    return !held && record.expires <= this.#clock.now() ? undefined : record;
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
