/**
 * `@pubkit/pool`: a bounded, fair resource pool with timeouts on every wait, validation,
 * lifetimes, leak detection and a draining `close()`, plus SQLite (`node:sqlite`) and
 * PostgreSQL (`pg`) factories and a conformance suite for factories.
 *
 * @example A pool of SQLite connections
 * ```ts
 * import { Pool, SqliteFactory } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const pool = new Pool(new SqliteFactory({ path: `${dir}/app.db` }), { max: 4 });
 * await pool.use((db) => db.exec("CREATE TABLE notes (body TEXT)"));
 * await pool.use((db) => db.prepare("INSERT INTO notes VALUES (?)").run("hello"));
 * const row = await pool.use((db) => db.prepare("SELECT body FROM notes").get());
 * assert.equal(row?.body, "hello");
 * await pool.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

export * from "./pool.ts";
export * from "./pool_options.ts";
export * from "./pool_metrics.ts";
export * from "./pool_close_report.ts";
export * from "./lease.ts";
export * from "./pool_factory.ts";
export * from "./pool_timeout_error.ts";
export * from "./pool_closed_error.ts";
export * from "./pool_create_error.ts";
export * from "./pool_resource_error.ts";
export * from "./pool_queue_full_error.ts";
export * from "./sqlite_factory.ts";
export * from "./postgres_client.ts";
export * from "./postgres_factory.ts";
