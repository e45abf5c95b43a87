// Copyright 2025 the pubkit authors. MIT license.

import { type CookieSigner, newId } from "./_ids.ts";
import { LockTimeoutError } from "./lock_timeout_error.ts";
import type { Session, SessionCookie, SessionLockOptions } from "./session.ts";
import type { Clock, SessionLock, SessionRecord, SessionStore } from "./session_store.ts";

/** What a core needs from its manager. */
export interface CoreConfig {
  store: SessionStore;
  signer: CookieSigner;
  clock: Clock;
  idleTimeout: number;
  absoluteLifetime: number;
  lockTimeout: number;
  cookieName: string;
  cookie: CookieAttributes;
  onClosed(core: SessionCore): void;
}

/** The session cookie's attributes as the manager was configured. */
export interface CookieAttributes {
  path: string;
  domain: string | undefined;
  sameSite: "lax" | "strict" | "none";
  secure: "auto" | boolean;
}

/** How long a request waits for the lock only to renew the expiry of a read-only session. */
const RENEW_WAIT = 0;

/** The state shared by every opening of one session by one owner. */
export class SessionCore {
  readonly config: CoreConfig;
  readonly owner: unknown;
  /** The cookie's `Secure` attribute for this request. */
  readonly secure: boolean;
  /** The cookie name for this request (with `__Host-` when it qualifies). */
  readonly cookieName: string;
  id: string;
  signed: string;
  isNew: boolean;
  created: number;
  lastAccessed: number;
  data: Record<string, unknown>;
  modified = false;
  /** The data exists in the store. */
  persisted: boolean;
  /** Opened with the lock (or `lock()` since): only then may it change. */
  exclusive: boolean;
  /** Saved by this request (so finishing need not renew the expiry again). */
  saved = false;
  invalidated = false;
  closed = false;
  /** A cookie came with the request (so a clearing cookie makes sense). */
  hadCookie: boolean;
  /** One hold per open handle while locked. */
  holds: SessionLock[] = [];
  handles = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    config: CoreConfig,
    init: {
      owner: unknown;
      secure: boolean;
      cookieName: string;
      id: string;
      signed: string;
      record?: SessionRecord;
      hadCookie: boolean;
      now: number;
      exclusive: boolean;
    },
  ) {
    this.config = config;
    this.owner = init.owner;
    this.secure = init.secure;
    this.cookieName = init.cookieName;
    this.id = init.id;
    this.signed = init.signed;
    this.isNew = !init.record;
    this.persisted = !!init.record;
    this.created = init.record?.created ?? init.now;
    this.lastAccessed = init.record?.lastAccessed ?? init.now;
    this.data = init.record?.data ?? {};
    this.hadCookie = init.hadCookie;
    this.exclusive = init.exclusive;
  }

  /**
   * Whether this request may change the session. A fresh id (new or regenerated) is known to no
   * other request until its cookie is sent, so its store lock is only taken before the first
   * write: a visitor whose session never changes costs the store nothing.
   */
  get locked(): boolean {
    return this.exclusive;
  }

  get #fence(): { fence?: number } {
    return this.holds.length > 0 ? { fence: this.holds[0]!.fence } : {};
  }

  /** Runs store operations of one session one after another. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  checkWritable(action: string): void {
    if (this.closed) throw new TypeError(`Cannot ${action}: the session is closed`);
    if (this.invalidated) throw new TypeError(`Cannot ${action}: the session was invalidated`);
    if (!this.exclusive) {
      throw new TypeError(
        `Cannot ${action}: the session was opened without the lock and is a read-only ` +
          `snapshot; open it with the lock (lock: true, or session: "lock" in _config.ts) ` +
          `or call lock() first`,
      );
    }
  }

  /** Takes the store lock (one hold per opening) unless held. */
  async #hold(options: SessionLockOptions = {}): Promise<void> {
    if (this.holds.length > 0) return;
    const { store, lockTimeout } = this.config;
    const holds: SessionLock[] = [];
    try {
      for (let i = 0; i < Math.max(1, this.handles); i++) {
        holds.push(await store.lock(this.id, this.owner, { timeout: lockTimeout, ...options }));
      }
    } catch (error) {
      await Promise.all(holds.map((hold) => hold.release()));
      throw error;
    }
    this.holds = holds;
  }

  #expires(now: number): number {
    return Math.min(now + this.config.idleTimeout, this.created + this.config.absoluteLifetime);
  }

  async save(): Promise<void> {
    if (this.invalidated) return;
    await this.#hold();
    const now = this.config.clock.now();
    const record: SessionRecord = {
      data: this.data,
      created: this.created,
      lastAccessed: now,
      expires: this.#expires(now),
    };
    await this.config.store.save(this.id, record, this.#fence);
    this.modified = false;
    this.persisted = true;
    this.saved = true;
  }

  /**
   * Ends the request's use: saves a changed session, else renews the expiry of a stored one.
   * A request that began before the idle deadline renews it even past the deadline: the store
   * keeps a locked session (sweepers skip it) and `touch()` under the lock revives it. A
   * read-only session never writes its snapshot; it renews only the times, under the lock, and
   * only if the lock is free at once (a holder renews the session itself when it finishes).
   */
  async finish(): Promise<void> {
    if (this.invalidated) return;
    if (this.modified) return await this.save();
    if (!this.persisted || this.saved) return;
    const { store, clock } = this.config;
    if (this.exclusive) {
      const now = clock.now();
      return await store.touch(this.id, now, this.#expires(now), this.#fence);
    }
    let hold: SessionLock;
    try {
      hold = await store.lock(this.id, this.owner, { timeout: RENEW_WAIT });
    } catch (error) {
      if (error instanceof LockTimeoutError) return;
      throw error;
    }
    try {
      const now = clock.now();
      await store.touch(this.id, now, this.#expires(now), { fence: hold.fence });
    } finally {
      await hold.release();
    }
  }

  async load(): Promise<void> {
    const record = await this.config.store.load(this.id);
    this.data = record?.data ?? {};
    this.persisted = !!record;
    this.modified = false;
  }

  async invalidate(): Promise<void> {
    if (this.invalidated) return;
    await this.config.store.destroy(this.id, this.#fence);
    this.invalidated = true;
    this.data = {};
    this.modified = false;
  }

  /** Moves the data to a fresh id (saved and locked at once) and destroys the old one. */
  async regenerate(): Promise<void> {
    const { store, signer, clock } = this.config;
    const old = { id: this.id, signed: this.signed, created: this.created, isNew: this.isNew };
    const oldHolds = this.holds;
    const oldFence = this.#fence;
    const persisted = this.persisted;
    this.holds = [];
    this.id = newId();
    this.signed = signer.sign(this.id);
    this.created = clock.now();
    this.isNew = true;
    try {
      await this.save();
    } catch (error) {
      await this.#release();
      Object.assign(this, old);
      this.holds = oldHolds;
      this.persisted = persisted;
      throw error;
    }
    try {
      if (persisted) await store.destroy(old.id, oldFence);
    } finally {
      await Promise.all(oldHolds.map((hold) => hold.release()));
    }
  }

  /** Takes the lock of a read-only session and re-reads its data, which may be stale. */
  async lock(options: SessionLockOptions): Promise<void> {
    if (this.exclusive) return;
    if (this.persisted) {
      await this.#hold(options);
      try {
        await this.load();
      } catch (error) {
        await this.#release();
        throw error;
      }
    }
    this.exclusive = true;
  }

  /** Saves pending changes, then frees the lock: the session is read-only from then on. */
  async unlock(): Promise<void> {
    if (this.exclusive && this.modified) await this.save();
    this.exclusive = false;
    await this.#release();
  }

  async #release(): Promise<void> {
    const holds = this.holds;
    this.holds = [];
    // One hold per opening of this request chain: usually exactly one.
    if (holds.length === 1) await holds[0]!.release();
    else await Promise.all(holds.map((hold) => hold.release()));
  }

  /** Closes one handle; the last one saves and frees the lock. */
  async closeHandle(): Promise<void> {
    this.handles--;
    if (this.handles > 0) {
      await this.holds.pop()?.release();
      return;
    }
    this.closed = true;
    this.config.onClosed(this);
    try {
      await this.finish();
    } finally {
      this.exclusive = false;
      await this.#release();
    }
  }

  /** The cookie this response must carry, if any (see `Session.cookie()`). */
  cookie(): SessionCookie | undefined {
    const { path, domain, sameSite } = this.config.cookie;
    const base = { name: this.cookieName, path, domain, sameSite, secure: this.secure };
    const clear = { ...base, value: "", httpOnly: true as const, maxAge: 0 };
    if (this.invalidated) return this.hadCookie || this.isNew ? clear : undefined;
    if (this.isNew) {
      if (this.persisted || this.modified) {
        return { ...base, value: this.signed, httpOnly: true as const };
      }
      return this.hadCookie ? clear : undefined;
    }
    return undefined;
  }
}

/** One opening of a shared session core. */
export class SessionHandle implements Session {
  #core: SessionCore;
  #closed: Promise<void> | undefined;

  constructor(core: SessionCore) {
    this.#core = core;
    core.handles++;
  }

  get id(): string {
    return this.#core.id;
  }
  get isNew(): boolean {
    return this.#core.isNew;
  }
  get created(): number {
    return this.#core.created;
  }
  get lastAccessed(): number {
    return this.#core.lastAccessed;
  }
  get timeout(): number {
    return this.#core.config.idleTimeout;
  }
  get locked(): boolean {
    return this.#core.locked;
  }
  get invalidated(): boolean {
    return this.#core.invalidated;
  }
  get modified(): boolean {
    return this.#core.modified;
  }

  #writable(action: string): void {
    if (this.#closed) throw new TypeError(`Cannot ${action}: this opening is closed`);
    this.#core.checkWritable(action);
  }

  get(key: string): unknown {
    return Object.hasOwn(this.#core.data, key) ? this.#core.data[key] : undefined;
  }
  set(key: string, value: unknown): void {
    this.#writable("set a session value");
    this.#core.data[key] = value;
    this.#core.modified = true;
  }
  delete(key: string): boolean {
    this.#writable("delete a session value");
    if (!Object.hasOwn(this.#core.data, key)) return false;
    delete this.#core.data[key];
    this.#core.modified = true;
    return true;
  }
  has(key: string): boolean {
    return Object.hasOwn(this.#core.data, key);
  }
  clear(): void {
    this.#writable("clear the session");
    if (Object.keys(this.#core.data).length > 0) this.#core.modified = true;
    this.#core.data = {};
  }
  keys(): string[] {
    return Object.keys(this.#core.data);
  }
  save(): Promise<void> {
    this.#writable("save the session");
    return this.#core.serial(() => this.#core.save());
  }
  load(): Promise<void> {
    if (this.#closed || this.#core.closed) {
      throw new TypeError("Cannot load the session: it is closed");
    }
    return this.#core.serial(() => this.#core.load());
  }
  invalidate(): Promise<void> {
    if (this.#core.invalidated) return Promise.resolve();
    this.#writable("invalidate the session");
    return this.#core.serial(() => this.#core.invalidate());
  }
  regenerate(): Promise<void> {
    this.#writable("regenerate the session");
    return this.#core.serial(() => this.#core.regenerate());
  }
  lock(options: SessionLockOptions = {}): Promise<void> {
    if (this.#closed || this.#core.closed || this.#core.invalidated) {
      throw new TypeError("Cannot lock the session: it is closed or invalidated");
    }
    return this.#core.serial(() => this.#core.lock(options));
  }
  unlock(): Promise<void> {
    return this.#core.serial(() => this.#core.unlock());
  }
  cookie(): SessionCookie | undefined {
    return this.#core.cookie();
  }
  close(): Promise<void> {
    return this.#closed ??= this.#core.serial(() => this.#core.closeHandle());
  }
  cleanup(): Promise<void> {
    return this.close();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
