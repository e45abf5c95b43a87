// Copyright 2025 the pubkit authors. MIT license.

/**
 * Sessions with reentrant locks: no lost update, no self-deadlock, no guessable id.
 *
 * A {@linkcode SessionManager} opens the session of a request from its `Cookie`
 * header, locks it for the request chain (re-entered by internal redirects), and
 * saves it if it changed (a session opened without the lock is a read-only snapshot).
 * Stores: {@linkcode MemoryStore} (one process), {@linkcode FileStore} (processes sharing a
 * folder), {@linkcode RedisStore} (hosts).
 *
 * @example
 * ```ts
 * import { MemoryStore, SessionManager } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * await using manager = new SessionManager({
 *   store: new MemoryStore(),
 *   secrets: ["a secret of at least thirty-two characters"],
 * });
 * const chain = {};
 * await using session = await manager.open(new Headers(), { owner: chain });
 * await using again = await manager.open(new Headers(), { owner: chain });
 * assert.equal(again.id, session.id);
 * ```
 *
 * @module
 */

export * from "./reentrant_lock.ts";
export * from "./lock_timeout_error.ts";
export * from "./store_unavailable_error.ts";
export * from "./lock_lost_error.ts";
export * from "./session_store.ts";
export * from "./session.ts";
export * from "./session_manager.ts";
export * from "./memory_store.ts";
export * from "./file_store.ts";
export * from "./redis_store.ts";
