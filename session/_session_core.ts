// Copyright 2025 the pubkit authors. MIT license.

import type { Clock } from "@pubkit/async";
import { type CookieSigner, newId } from "./_ids.ts";
import { LockTimeoutError } from "./errors.ts";
import type { Session, SessionCookie, SessionLockOptions } from "./session.ts";
import type { FinalWrite, SessionLock, SessionRecord, SessionStore } from "./session_store.ts";

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

/** What a core starts from, found by the manager. */
export interface CoreInit {
  owner: unknown;
  /** The cookie's `Secure` attribute for this request. */
  secure: boolean;
  /** The cookie name for this request (with `__Host-` when it qualifies). */
  cookieName: string;
  id: string;
  signed: string;
  record?: SessionRecord;
  /** A cookie came with the request (so a logout's clearing cookie makes sense). */
  hadCookie: boolean;
  now: number;
  /** Opened with the lock: only then may it change. */
  exclusive: boolean;
  /** The store lock the manager took to load the record, if any. */
  lock?: SessionLock;
  /** The store renewed the expiry as it loaded the record (`SessionStore.loadAndTouch`). */
  touched?: boolean;
}

/**
 * The state shared by every opening of one session by one owner. It holds at most one store
 * lock whatever the number of openings (re-entry is counted by `#handles` alone), and frees it
 * when the last opening closes.
 */
export class SessionCore {
  readonly #config: CoreConfig;
  readonly owner: unknown;
  readonly #secure: boolean;
  readonly #cookieName: string;
  #id: string;
  #signed: string;
  #isNew: boolean;
  #created: number;
  #lastAccessed: number;
  #data: Record<string, unknown>;
  #modified = false;
  /** The data exists in the store. */
  #persisted: boolean;
  /** Opened with the lock (or `lock()` since): only then may it change. */
  #exclusive: boolean;
  /** Saved or renewed by this request (so finishing need not renew the expiry again). */
  #saved = false;
  #invalidated = false;
  #closed = false;
  readonly #hadCookie: boolean;
  /** The store lock, while held. */
  #lock: SessionLock | undefined;
  /** Open handles: the one count of this owner's openings. */
  #handles = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config: CoreConfig, init: CoreInit) {
    this.#config = config;
    this.owner = init.owner;
    this.#secure = init.secure;
    this.#cookieName = init.cookieName;
    this.#id = init.id;
    this.#signed = init.signed;
    this.#isNew = !init.record;
    this.#persisted = !!init.record;
    this.#created = init.record?.created ?? init.now;
    this.#lastAccessed = init.record?.lastAccessed ?? init.now;
    this.#data = init.record?.data ?? {};
    this.#hadCookie = init.hadCookie;
    this.#exclusive = init.exclusive;
    this.#lock = init.lock;
    this.#saved = init.touched ?? false;
  }

  /** Opens one more handle on this session (an internal redirect shares it). */
  openHandle(): Session {
    this.#handles++;
    return new SessionHandle(this);
  }

  get id(): string {
    return this.#id;
  }
  get isNew(): boolean {
    return this.#isNew;
  }
  get created(): number {
    return this.#created;
  }
  get lastAccessed(): number {
    return this.#lastAccessed;
  }
  get timeout(): number {
    return this.#config.idleTimeout;
  }
  /**
   * Whether this request may change the session. A fresh id (new or regenerated) is known to no
   * other request until its cookie is sent, so its store lock is only taken before the first
   * write: a visitor whose session never changes costs the store nothing.
   */
  get locked(): boolean {
    return this.#exclusive;
  }
  get invalidated(): boolean {
    return this.#invalidated;
  }
  get modified(): boolean {
    return this.#modified;
  }
  get closed(): boolean {
    return this.#closed;
  }

  get(key: string): unknown {
    return Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
  }
  has(key: string): boolean {
    return Object.hasOwn(this.#data, key);
  }
  keys(): string[] {
    return Object.keys(this.#data);
  }
  set(key: string, value: unknown): void {
    this.checkWritable("set a session value");
    this.#data[key] = value;
    this.#modified = true;
  }
  delete(key: string): boolean {
    this.checkWritable("delete a session value");
    if (!Object.hasOwn(this.#data, key)) return false;
    delete this.#data[key];
    this.#modified = true;
    return true;
  }
  clear(): void {
    this.checkWritable("clear the session");
    if (Object.keys(this.#data).length > 0) this.#modified = true;
    this.#data = {};
  }

  get #fence(): { fence?: number } {
    return this.#lock !== undefined ? { fence: this.#lock.fence } : {};
  }

  /** Runs store operations of one session one after another. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }

  checkWritable(action: string): void {
    if (this.#closed) throw new TypeError(`Cannot ${action}: the session is closed`);
    if (this.#invalidated) throw new TypeError(`Cannot ${action}: the session was invalidated`);
    if (!this.#exclusive) {
      throw new TypeError(
        `Cannot ${action}: the session was opened without the lock and is a read-only ` +
          `snapshot; open it with the lock (lock: true, or session: "lock" in _config.ts) ` +
          `or call lock() first`,
      );
    }
  }

  /** Takes the store lock unless held; with `load`, the lock's `record` may hold the data. */
  async #hold(options: SessionLockOptions = {}, load = false): Promise<SessionLock> {
    if (this.#lock !== undefined) return this.#lock;
    const { store, lockTimeout } = this.#config;
    return this.#lock = await store.lock(this.#id, this.owner, {
      timeout: lockTimeout,
      ...options,
      load,
    });
  }

  #record(now: number): SessionRecord {
    const { idleTimeout, absoluteLifetime } = this.#config;
    const expires = Math.min(now + idleTimeout, this.#created + absoluteLifetime);
    return { data: this.#data, created: this.#created, lastAccessed: now, expires };
  }

  async save(): Promise<void> {
    if (this.#invalidated) return;
    await this.#hold();
    const record = this.#record(this.#config.clock.now());
    await this.#config.store.save(this.#id, record, this.#fence);
    this.#markSaved();
  }

  #markSaved(): void {
    this.#modified = false;
    this.#persisted = true;
    this.#saved = true;
  }

  /**
   * Ends the request's use and frees the lock: saves a changed session, else renews the expiry
   * of a stored one — in one step with the release where the store can (`SessionLock.commit`).
   * A request that began before the idle deadline renews it even past the deadline: the store
   * keeps a locked session (sweepers skip it) and `touch()` under the lock revives it. A
   * read-only session never writes its snapshot; it renews only the times, under the lock, and
   * only if the lock is free at once (a holder renews the session itself when it finishes).
   */
  async #finish(): Promise<void> {
    if (this.#invalidated) return;
    const { store, clock } = this.#config;
    const renew = !this.#modified && this.#persisted && !this.#saved;
    if (!this.#modified && !(renew && this.#exclusive)) {
      if (renew) await this.#renewReadOnly();
      return;
    }
    const lock = await this.#hold();
    const record = this.#record(clock.now());
    const write: FinalWrite = this.#modified
      ? { save: record }
      : { touch: { lastAccessed: record.lastAccessed, expires: record.expires } };
    if (lock.commit !== undefined) {
      this.#lock = undefined;
      await lock.commit(write);
    } else if ("save" in write) {
      await store.save(this.#id, record, { fence: lock.fence });
    } else {
      await store.touch(this.#id, record.lastAccessed, record.expires, { fence: lock.fence });
    }
    if ("save" in write) this.#markSaved();
  }

  async #renewReadOnly(): Promise<void> {
    const { store, clock } = this.#config;
    let hold: SessionLock;
    try {
      hold = await store.lock(this.#id, this.owner, { timeout: RENEW_WAIT });
    } catch (error) {
      if (error instanceof LockTimeoutError) return;
      throw error;
    }
    try {
      const { lastAccessed, expires } = this.#record(clock.now());
      await store.touch(this.#id, lastAccessed, expires, { fence: hold.fence });
    } finally {
      await hold.release();
    }
  }

  async load(): Promise<void> {
    this.#loaded(await this.#config.store.load(this.#id));
  }

  #loaded(record: SessionRecord | undefined): void {
    this.#data = record?.data ?? {};
    this.#persisted = !!record;
    this.#modified = false;
  }

  async invalidate(): Promise<void> {
    if (this.#invalidated) return;
    await this.#config.store.destroy(this.#id, this.#fence);
    this.#invalidated = true;
    this.#data = {};
    this.#modified = false;
  }

  /** Moves the data to a fresh id (saved and locked at once) and destroys the old one. */
  async regenerate(): Promise<void> {
    const { store, signer, clock } = this.#config;
    const old = {
      id: this.#id,
      signed: this.#signed,
      created: this.#created,
      isNew: this.#isNew,
      lock: this.#lock,
      persisted: this.#persisted,
    };
    const oldFence = this.#fence;
    this.#lock = undefined;
    this.#id = newId();
    this.#signed = signer.sign(this.#id);
    this.#created = clock.now();
    this.#isNew = true;
    try {
      await this.save();
    } catch (error) {
      await this.#release();
      this.#id = old.id;
      this.#signed = old.signed;
      this.#created = old.created;
      this.#isNew = old.isNew;
      this.#lock = old.lock;
      this.#persisted = old.persisted;
      throw error;
    }
    try {
      if (old.persisted) await store.destroy(old.id, oldFence);
    } finally {
      await old.lock?.release();
    }
  }

  /** Takes the lock of a read-only session and re-reads its data, which may be stale. */
  async lock(options: SessionLockOptions): Promise<void> {
    if (this.#exclusive) return;
    if (this.#persisted) {
      const lock = await this.#hold(options, true);
      try {
        this.#loaded(
          lock.record !== undefined
            ? lock.record ?? undefined
            : await this.#config.store.load(this.#id),
        );
      } catch (error) {
        await this.#release();
        throw error;
      }
    }
    this.#exclusive = true;
  }

  /** Saves pending changes, then frees the lock: the session is read-only from then on. */
  async unlock(): Promise<void> {
    if (this.#exclusive && this.#modified) await this.save();
    this.#exclusive = false;
    await this.#release();
  }

  async #release(): Promise<void> {
    const lock = this.#lock;
    this.#lock = undefined;
    await lock?.release();
  }

  /** Closes one handle; the last one saves and frees the lock. */
  async closeHandle(): Promise<void> {
    if (--this.#handles > 0) return;
    this.#closed = true;
    this.#config.onClosed(this);
    try {
      await this.#finish();
    } finally {
      this.#exclusive = false;
      await this.#release();
    }
  }

  /** The cookie this response must carry, if any (see `Session.cookie()`). */
  cookie(): SessionCookie | undefined {
    const { path, domain, sameSite } = this.#config.cookie;
    const base = { name: this.#cookieName, path, domain, sameSite, secure: this.#secure };
    const clear = { ...base, value: "", httpOnly: true as const, maxAge: 0 };
    if (this.#invalidated) return this.#hadCookie || this.#isNew ? clear : undefined;
    // A cookie that did not load (stale, forged, or regenerated away by a parallel log-in) is
    // ignored, never cleared: its clearing cookie could arrive after the log-in's new one.
    if (this.#isNew && (this.#persisted || this.#modified)) {
      return { ...base, value: this.#signed, httpOnly: true as const };
    }
    return undefined;
  }
}

/** One opening of a shared session core. */
class SessionHandle implements Session {
  #core: SessionCore;
  #closed: Promise<void> | undefined;

  constructor(core: SessionCore) {
    this.#core = core;
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
    return this.#core.timeout;
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
    return this.#core.get(key);
  }
  set(key: string, value: unknown): void {
    if (this.#closed) this.#writable("set a session value");
    this.#core.set(key, value);
  }
  delete(key: string): boolean {
    if (this.#closed) this.#writable("delete a session value");
    return this.#core.delete(key);
  }
  has(key: string): boolean {
    return this.#core.has(key);
  }
  clear(): void {
    if (this.#closed) this.#writable("clear the session");
    this.#core.clear();
  }
  keys(): string[] {
    return this.#core.keys();
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
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
