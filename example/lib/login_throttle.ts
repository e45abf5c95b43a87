/**
 * Log-in throttling: failures are counted per account, per client address and per both, and
 * past a few free failures each more one doubles a block (answered 429 with `Retry-After`).
 * The counters live in rate-limiter-flexible stores: memory, Redis or PostgreSQL, so that
 * every worker and process of the app sees the same counts when they share Redis or PostgreSQL.
 */
import type { Pool } from "@pubkit/pool";
import type { PostgresClient } from "@pubkit/pool/postgres";
import type { Redis } from "ioredis";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRedis,
  type RateLimiterRes,
} from "rate-limiter-flexible";

/** How many failures each kind of key gets before the back-off starts. */
export interface ThrottleRules {
  /** Failures of one address on one account (a guesser at one address). Default 3. */
  accountAtAddress: number;
  /** Failures on one account from any address (a guesser at many addresses). Default 10. */
  account: number;
  /** Failures of one address on any accounts (a sprayer of common passwords). Default 30. */
  address: number;
  /** Longest block, in seconds. Default 900. */
  maxBlockSeconds: number;
  /** How long failures are remembered after the first, in seconds. Default 86,400. */
  windowSeconds: number;
}

/** The default rules. */
export const THROTTLE_RULES: Readonly<ThrottleRules> = Object.freeze({
  accountAtAddress: 3,
  account: 10,
  address: 30,
  maxBlockSeconds: 900,
  windowSeconds: 86_400,
});

/** Where the counters are kept. */
export type ThrottleStore =
  | { kind: "memory" }
  | { kind: "redis"; client: Redis }
  | { kind: "postgres"; pool: Pool<PostgresClient> };

/** Options for {@linkcode LoginThrottle.create}. */
export interface LoginThrottleOptions {
  store: ThrottleStore;
  /** Prefix of every key (and, for PostgreSQL, of the rows' keys in one shared table). */
  prefix: string;
  rules?: Partial<ThrottleRules>;
}

type Kind = "accountAtAddress" | "account" | "address";

/** The table the PostgreSQL counters share (one row per key, keys carry the prefix). */
export const THROTTLE_TABLE = "pubkit_login_throttle";

// Keys never hold more than this much of a submitted name (PostgreSQL keys are varchar(255)).
const NAME_CHARS = 64;

/** Counts log-in failures and blocks with exponential back-off. */
export class LoginThrottle {
  #failures: RateLimiterAbstract;
  #blocks: RateLimiterAbstract;
  #rules: Readonly<ThrottleRules>;
  #sweep: (() => Promise<unknown>) | undefined;

  private constructor(
    failures: RateLimiterAbstract,
    blocks: RateLimiterAbstract,
    rules: Readonly<ThrottleRules>,
    sweep?: () => Promise<unknown>,
  ) {
    this.#failures = failures;
    this.#blocks = blocks;
    this.#rules = rules;
    this.#sweep = sweep;
  }

  /** Creates the throttle over its store (for PostgreSQL, creating the table if needed). */
  static async create(options: LoginThrottleOptions): Promise<LoginThrottle> {
    const rules = Object.freeze({ ...THROTTLE_RULES, ...options.rules });
    const { store, prefix } = options;
    // Only the count and the expiry of each key matter: points are never "consumed" here.
    const failures = {
      keyPrefix: `${prefix}login-failures`,
      points: 1,
      duration: rules.windowSeconds,
    };
    const blocks = { keyPrefix: `${prefix}login-blocks`, points: 1, duration: 1 };
    if (store.kind === "memory") {
      return new LoginThrottle(
        new RateLimiterMemory(failures),
        new RateLimiterMemory(blocks),
        rules,
      );
    }
    if (store.kind === "redis") {
      const storeClient = store.client;
      return new LoginThrottle(
        new RateLimiterRedis({ ...failures, storeClient }),
        new RateLimiterRedis({ ...blocks, storeClient }),
        rules,
      );
    }
    // The app's own pool of PostgreSQL clients, seen as the `pg` pool the library expects.
    const storeClient = {
      query: (q: { text: string; values?: unknown[] }) =>
        store.pool.use((client) => client.query(q.text, q.values)),
    };
    const postgres = (opts: typeof failures) =>
      new Promise<RateLimiterPostgres>((resolve, reject) => {
        const limiter: RateLimiterPostgres = new RateLimiterPostgres(
          {
            ...opts,
            storeClient,
            storeType: "pool",
            tableName: THROTTLE_TABLE,
            // Expired rows are swept by sweep(), not by a timer of the library's own.
            clearExpiredByTimeout: false,
          },
          (error?: unknown) => error ? reject(error) : resolve(limiter),
        );
      });
    const sweep = () =>
      store.pool.use((client) =>
        client.query(`DELETE FROM ${THROTTLE_TABLE} WHERE expire < $1`, [Date.now()])
      );
    return new LoginThrottle(await postgres(failures), await postgres(blocks), rules, sweep);
  }

  /**
   * Whether a log-in attempt may go on: 0, or the seconds to wait. A refused attempt counts as
   * a failure of this address on this account, so a client that ignores `Retry-After` only
   * lengthens its own wait (and nobody else's).
   */
  async admit(name: string, address: string): Promise<number> {
    const keys = keysOf(name, address);
    const blocked = await Promise.all(Object.values(keys).map((key) => this.#blocks.get(key)));
    if (!blocked.some((res) => res !== null && res.consumedPoints > 1)) return 0;
    const again = await this.#count("accountAtAddress", keys.accountAtAddress);
    const waits = blocked.map((res) =>
      res === null || res.consumedPoints <= 1 ? 0 : res.msBeforeNext
    );
    return Math.max(again, Math.ceil(Math.max(...waits) / 1000), 1);
  }

  /** Records a failed attempt on every key; returns the seconds the longest new block lasts. */
  async failed(name: string, address: string): Promise<number> {
    const keys = keysOf(name, address);
    const waits = await Promise.all(
      (Object.keys(keys) as Kind[]).map((kind) => this.#count(kind, keys[kind])),
    );
    return Math.max(...waits);
  }

  /**
   * Forgets the failures of this account (at any address and at this one) after a successful
   * log-in. The address's own count is kept: an attacker with one account of their own could
   * otherwise reset it between guesses at others.
   */
  async succeeded(name: string, address: string): Promise<void> {
    const keys = keysOf(name, address);
    await Promise.all(
      [keys.account, keys.accountAtAddress].flatMap((key) => [
        this.#failures.delete(key),
        this.#blocks.delete(key),
      ]),
    );
  }

  /** Deletes the PostgreSQL rows that expired (a no-op for the other stores). */
  async sweep(): Promise<void> {
    await this.#sweep?.();
  }

  /** Counts one failure on `key`; past the free ones, blocks it for 1, 2, 4, … seconds. */
  async #count(kind: Kind, key: string): Promise<number> {
    const res: RateLimiterRes = await this.#failures.penalty(key, 1);
    const over = res.consumedPoints - this.#rules[kind];
    if (over < 0) return 0;
    const seconds = Math.min(2 ** over, this.#rules.maxBlockSeconds);
    await this.#blocks.block(key, seconds);
    return seconds;
  }
}

function keysOf(name: string, address: string): Record<Kind, string> {
  // An address never holds a space, so "address name" cannot be read two ways.
  const account = name.slice(0, NAME_CHARS);
  return { accountAtAddress: `${address} ${account}`, account: `@${account}`, address };
}
