// Copyright 2025 the pubkit authors. MIT license.

/**
 * Sessions with reentrant locks: no lost update, no self-deadlock, no guessable id.
 *
 * A {@linkcode SessionManager} opens the session of a request from its `Cookie`
 * header, locks it for the request chain (re-entered by internal redirects), and
 * saves it if it changed (a session opened without the lock is a read-only snapshot).
 * Stores: {@linkcode MemoryStore} (one process), {@linkcode FileStore} (processes sharing a
 * folder), and, in entries of their own so that importing this module loads no database
 * driver, `RedisStore` from `@pubkit/session/redis` (hosts, or a Redis Cluster).
 * Every error carries its HTTP meaning (`status`, `expose`, `headers`; see
 * {@linkcode SessionError}).
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

export { LockLostError, LockTimeoutError, SessionError, StoreUnavailableError } from "./errors.ts";
export {
  ReentrantLock,
  type ReentrantLockHold,
  type ReentrantLockOptions,
} from "./reentrant_lock.ts";
export type {
  FinalWrite,
  Renewal,
  SessionLock,
  SessionRecord,
  SessionStore,
  StoreLockOptions,
  StoreWriteOptions,
} from "./session_store.ts";
export type { Session, SessionCookie, SessionLockOptions } from "./session.ts";
export {
  type OpenOptions,
  type SessionCookieOptions,
  SessionManager,
  type SessionManagerOptions,
} from "./session_manager.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory_store.ts";
export { FileStore, type FileStoreOptions } from "./file_store.ts";
