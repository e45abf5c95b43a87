/**
 * `@pubkit/pool/postgres`: {@linkcode PostgresFactory}, pooled PostgreSQL connections through
 * the `pg` npm client. Its own entry point, so that importing `@pubkit/pool` never reaches `pg`.
 *
 * @module
 */

// @ts-types="@types/pg"
import type { Client } from "pg";
import type { PoolFactory } from "./pool_factory.ts";
import { checkKeys } from "./_check_keys.ts";

/** A query's result, as `pg` returns it. */
export interface PostgresQueryResult<R> {
  /** The rows, one object per row keyed by column name. */
  rows: R[];
  /** Rows returned or affected, or `null` for commands that do not count rows. */
  rowCount: number | null;
  /** The SQL command, e.g. "SELECT". */
  command: string;
}

/**
 * The pooled connection: a `pg` `Client`, typed here by the part pooled code needs. Cast it
 * to `pg.Client` for the rest of `pg`'s API (but never `end()` it: destroy the lease).
 */
export interface PostgresClient {
  /**
   * Runs one parameterized query.
   *
   * @typeParam R The row shape.
   * @param text SQL with `$1`, `$2`, ... placeholders.
   * @param values The parameters.
   * @returns The result.
   */
  query<R = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<PostgresQueryResult<R>>;
}

/** Options of {@linkcode PostgresFactory}. */
export interface PostgresFactoryOptions {
  /** A `postgres://user@host:port/database` URL, e.g. `Deno.env.get("DATABASE_URL")`. */
  connectionString?: string;
  /** Any other `pg` `ClientConfig` settings (host, port, user, password, ssl, ...). */
  config?: Record<string, unknown>;
  /**
   * The `application_name` each connection reports, so that `pg_stat_activity` can tell
   * this pool's connections apart. Default "pubkit".
   */
  applicationName?: string;
  /** Sent by `validate()`. Default "SELECT 1". */
  validationQuery?: string;
}

const KEYS = new Set(["connectionString", "config", "applicationName", "validationQuery"]);

/**
 * Makes `pg` client connections for a {@linkcode Pool}. A client whose connection reports an
 * error or ends (the server restarted, `pg_terminate_backend`, a network fault) is marked
 * broken: the pool destroys it instead of lending it again. `pg` is loaded on the first
 * `create()`, so importing this entry point does not load it either.
 *
 * @example A pool at DATABASE_URL (skipped when it is unset)
 * ```ts
 * import { Pool } from "@pubkit/pool";
 * import { PostgresFactory, type PostgresFactoryOptions } from "@pubkit/pool/postgres";
 * import assert from "node:assert/strict";
 *
 * const url = Deno.env.get("DATABASE_URL");
 * if (url !== undefined) {
 *   const options: PostgresFactoryOptions = { connectionString: url, applicationName: "docs" };
 *   const pool = new Pool(new PostgresFactory(options), { max: 2 });
 *   const { rows } = await pool.use((client) => client.query("SELECT 1 + 1 AS two"));
 *   assert.equal(rows[0].two, 2);
 *   await pool.close();
 * }
 * ```
 */
export class PostgresFactory implements PoolFactory<PostgresClient> {
  #config: Record<string, unknown>;
  #validationQuery: string;
  #broken = new WeakSet<PostgresClient>();

  /**
   * Makes the factory; connects nothing yet.
   *
   * @param options Where and how to connect.
   * @throws {RangeError} For an unknown option.
   * @throws {TypeError} For a non-string `connectionString` or `applicationName`.
   */
  constructor(options: PostgresFactoryOptions = {}) {
    checkKeys("create PostgresFactory", options, KEYS);
    const { connectionString, applicationName = "pubkit" } = options;
    if (connectionString !== undefined && typeof connectionString !== "string") {
      throw new TypeError("Cannot create PostgresFactory: connectionString must be a string");
    }
    if (typeof applicationName !== "string") {
      throw new TypeError("Cannot create PostgresFactory: applicationName must be a string");
    }
    this.#config = {
      ...options.config,
      ...(connectionString === undefined ? {} : { connectionString }),
      application_name: applicationName,
    };
    this.#validationQuery = options.validationQuery ?? "SELECT 1";
  }

  /**
   * Opens one connection; aborting `signal` closes the socket and rejects.
   *
   * @param signal Aborted by the pool on `createTimeout` or close.
   * @returns The connected client.
   * @throws `signal.reason` when aborted; `pg`'s error when the connection fails.
   */
  async create(signal: AbortSignal): Promise<PostgresClient> {
    signal.throwIfAborted();
    const { default: Pg } = await import("pg");
    signal.throwIfAborted();
    const client = new Pg.Client(this.#config) as Client;
    const broken = this.#broken;
    // An 'error' event without a listener would crash the process.
    client.on("error", () => broken.add(client));
    client.on("end", () => broken.add(client));
    const onAbort = () => void client.end().catch(() => {});
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await client.connect();
    } catch (error) {
      broken.add(client);
      await client.end().catch(() => {});
      throw signal.aborted ? signal.reason : error;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (signal.aborted) {
      await this.destroy(client);
      throw signal.reason;
    }
    return client as PostgresClient;
  }

  /**
   * Closes the connection.
   *
   * @param client A client from {@linkcode PostgresFactory.prototype.create}.
   * @returns Resolves when closed.
   */
  async destroy(client: PostgresClient): Promise<void> {
    this.#broken.add(client);
    await (client as Client).end().catch(() => {});
  }

  /**
   * Sends the validation query (`SELECT 1`).
   *
   * @param client A client from {@linkcode PostgresFactory.prototype.create}.
   * @returns `true` if it answered; `false` if it is broken or the query failed.
   */
  async validate(client: PostgresClient): Promise<boolean> {
    if (this.#broken.has(client)) return false;
    try {
      await client.query(this.#validationQuery);
      return true;
    } catch {
      this.#broken.add(client);
      return false;
    }
  }

  /**
   * Whether the connection reported an error or ended.
   *
   * @param client A client from {@linkcode PostgresFactory.prototype.create}.
   * @returns `true` if it must not be lent again.
   */
  isBroken(client: PostgresClient): boolean {
    return this.#broken.has(client);
  }

  /**
   * Whether an error from a query means the connection is gone: the server terminated it
   * (SQLSTATE class 57: `admin_shutdown`, `crash_shutdown`, `cannot_connect_now`), a
   * connection exception (class 08), or the client lost the socket.
   *
   * @param error What a query threw.
   * @param client The client it ran on.
   * @returns `true` if the client must be destroyed.
   */
  isFatalError(error: unknown, client: PostgresClient): boolean {
    if (this.#broken.has(client)) return true;
    const code = (error as { code?: unknown } | null)?.code;
    const fatal = (typeof code === "string" && /^(57P0[1-3]|08)/.test(code)) ||
      (error instanceof Error &&
        /Connection terminated|not queryable|ECONNRESET/i.test(error.message));
    if (fatal) this.#broken.add(client);
    return fatal;
  }
}
