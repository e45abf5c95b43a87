/**
 * `@pubkit/pool/sqlite`: {@linkcode SqliteFactory}, pooled connections to one SQLite file
 * through `node:sqlite`. Its own entry point, so that importing `@pubkit/pool` loads no driver.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { PoolFactory } from "./pool_factory.ts";
import { checkKeys } from "./_check_keys.ts";

/** Options of {@linkcode SqliteFactory}. */
export interface SqliteFactoryOptions {
  /** The database file; created if missing. `":memory:"` gives each connection its own database. */
  path: string;
  /**
   * How long a connection waits for another connection's write lock, in milliseconds
   * (`PRAGMA busy_timeout`). `node:sqlite` is synchronous, so this wait blocks the event loop:
   * keep it short and never `await` inside a write transaction. Default 1000.
   */
  busyTimeout?: number;
  /** `PRAGMA journal_mode = WAL` (readers do not block the writer). Default true. */
  wal?: boolean;
  /** `PRAGMA foreign_keys = ON`. Default true. */
  foreignKeys?: boolean;
  /** Runs once on each new connection (more pragmas, functions). */
  setup?: (db: DatabaseSync) => void;
}

const KEYS = new Set(["path", "busyTimeout", "wal", "foreignKeys", "setup"]);

/**
 * Makes `DatabaseSync` connections to one SQLite file, in WAL mode with a `busy_timeout`, for
 * a {@linkcode Pool}. It is the embedded default: no server needed.
 *
 * @example A pool over a temporary file
 * ```ts
 * import { Pool } from "@pubkit/pool";
 * import { SqliteFactory, type SqliteFactoryOptions } from "@pubkit/pool/sqlite";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const options: SqliteFactoryOptions = { path: `${dir}/app.db`, busyTimeout: 500 };
 * const pool = new Pool(new SqliteFactory(options), { max: 2 });
 * const mode = await pool.use((db) => db.prepare("PRAGMA journal_mode").get());
 * assert.equal(mode?.journal_mode, "wal");
 * await pool.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SqliteFactory implements PoolFactory<DatabaseSync> {
  #path: string;
  #busyTimeout: number;
  #wal: boolean;
  #foreignKeys: boolean;
  #setup: ((db: DatabaseSync) => void) | undefined;

  /**
   * Makes the factory; opens nothing yet.
   *
   * @param options The file and connection settings.
   * @throws {RangeError} For an unknown option or a bad `busyTimeout`.
   * @throws {TypeError} For a missing `path`.
   */
  constructor(options: SqliteFactoryOptions) {
    checkKeys("create SqliteFactory", options ?? {}, KEYS);
    if (typeof options?.path !== "string" || options.path === "") {
      throw new TypeError("Cannot create SqliteFactory: path must be a non-empty string");
    }
    const busyTimeout = options.busyTimeout ?? 1000;
    if (!Number.isInteger(busyTimeout) || busyTimeout < 0) {
      throw new RangeError(`Cannot create SqliteFactory: busyTimeout is ${busyTimeout}`);
    }
    this.#path = options.path;
    this.#busyTimeout = busyTimeout;
    this.#wal = options.wal ?? true;
    this.#foreignKeys = options.foreignKeys ?? true;
    this.#setup = options.setup;
  }

  /**
   * Opens one connection and applies the pragmas.
   *
   * @param signal Checked before opening (opening itself is synchronous).
   * @returns The open connection.
   * @throws `signal.reason` if already aborted; the SQLite error if the file cannot be opened.
   */
  create(signal: AbortSignal): Promise<DatabaseSync> {
    try {
      signal.throwIfAborted();
      const db = new DatabaseSync(this.#path);
      try {
        // busy_timeout first: switching to WAL may itself wait for a lock.
        db.exec(`PRAGMA busy_timeout = ${this.#busyTimeout}`);
        if (this.#wal) db.exec("PRAGMA journal_mode = WAL");
        if (this.#wal) db.exec("PRAGMA synchronous = NORMAL");
        if (this.#foreignKeys) db.exec("PRAGMA foreign_keys = ON");
        this.#setup?.(db);
      } catch (error) {
        db.close();
        throw error;
      }
      return Promise.resolve(db);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Closes the connection.
   *
   * @param db A connection from {@linkcode SqliteFactory.prototype.create}.
   */
  destroy(db: DatabaseSync): void {
    if (db.isOpen) db.close();
  }

  /**
   * Runs `SELECT 1`.
   *
   * @param db A connection from {@linkcode SqliteFactory.prototype.create}.
   * @returns `true` if the connection is open and answers.
   */
  validate(db: DatabaseSync): boolean {
    if (!db.isOpen) return false;
    try {
      db.prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Whether the connection was closed.
   *
   * @param db A connection from {@linkcode SqliteFactory.prototype.create}.
   * @returns `true` once closed.
   */
  isBroken(db: DatabaseSync): boolean {
    return !db.isOpen;
  }
}
