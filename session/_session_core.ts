// Copyright 2025 the pubkit authors. MIT license.

import { type CookieSigner, newId } from "./_ids.ts";
import type { Session, SessionLockOptions } from "./session.ts";
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
  hostPrefix: boolean;
  onClosed(core: SessionCore): void;
}

/** The state shared by every opening of one session by one owner. */
export class SessionCore {
  readonly config: CoreConfig;
  readonly owner: unknown;
  readonly secure: boolean;
  id: string;
  signed: string;
  isNew: boolean;
  created: number;
  lastAccessed: number;
  data: Record<string, unknown>;
  modified = false;
  persisted: boolean;
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
      id: string;
      signed: string;
      record?: SessionRecord;
      hadCookie: boolean;
      now: number;
    },
  ) {
    this.config = config;
    this.owner = init.owner;
    this.secure = init.secure;
    this.id = init.id;
    this.signed = init.signed;
    this.isNew = !init.record;
    this.persisted = !!init.record;
    this.created = init.record?.created ?? init.now;
    this.lastAccessed = init.record?.lastAccessed ?? init.now;
    this.data = init.record?.data ?? {};
    this.hadCookie = init.hadCookie;
  }

  get locked(): boolean {
    return this.holds.length > 0;
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
  }

  #expires(now: number): number {
    return Math.min(now + this.config.idleTimeout, this.created + this.config.absoluteLifetime);
  }

  async save(): Promise<void> {
    if (this.invalidated) return;
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
  }

  async finish(): Promise<void> {
    if (this.invalidated) return;
    if (this.modified) return await this.save();
    if (!this.persisted) return;
    const now = this.config.clock.now();
    await this.config.store.touch(this.id, now, this.#expires(now), this.#fence);
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

  async regenerate(): Promise<void> {
    const { store, signer } = this.config;
    const id = newId();
    const signed = signer.sign(id);
    const holds: SessionLock[] = [];
    try {
      for (let i = 0; i < this.holds.length; i++) {
        holds.push(await store.lock(id, this.owner, { timeout: this.config.lockTimeout }));
      }
      const oldId = this.id;
      const oldFence = this.#fence;
      const now = this.config.clock.now();
      await store.save(id, {
        data: this.data,
        created: now,
        lastAccessed: now,
        expires: Math.min(now + this.config.idleTimeout, now + this.config.absoluteLifetime),
      }, holds.length > 0 ? { fence: holds[0]!.fence } : {});
      await store.destroy(oldId, oldFence);
      const oldHolds = this.holds;
      this.holds = holds;
      this.id = id;
      this.signed = signed;
      this.created = now;
      this.isNew = true;
      this.persisted = true;
      this.modified = false;
      await Promise.all(oldHolds.map((hold) => hold.release()));
    } catch (error) {
      await Promise.all(holds.map((hold) => hold.release()));
      throw error;
    }
  }

  async lock(options: SessionLockOptions): Promise<void> {
    if (this.locked) return;
    const { store, lockTimeout } = this.config;
    const holds: SessionLock[] = [];
    try {
      for (let i = 0; i < this.handles; i++) {
        holds.push(
          await store.lock(this.id, this.owner, { timeout: lockTimeout, ...options }),
        );
      }
    } catch (error) {
      await Promise.all(holds.map((hold) => hold.release()));
      throw error;
    }
    this.holds = holds;
  }

  async unlock(): Promise<void> {
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
      await this.unlock();
    }
  }

  setCookie(): string | undefined {
    const { cookieName, hostPrefix } = this.config;
    const name = hostPrefix ? `__Host-${cookieName}` : cookieName;
    const attributes = `Path=/; HttpOnly; SameSite=Lax${
      this.secure || hostPrefix ? "; Secure" : ""
    }`;
    const clear = `${name}=; ${attributes}; Max-Age=0`;
    if (this.invalidated) return this.hadCookie || this.isNew ? clear : undefined;
    if (this.isNew) {
      if (this.persisted || this.modified) return `${name}=${this.signed}; ${attributes}`;
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
    this.#writable("load the session");
    return this.#core.serial(() => this.#core.load());
  }
  invalidate(): Promise<void> {
    if (this.#core.closed) throw new TypeError("Cannot invalidate the session: it is closed");
    return this.#core.serial(() => this.#core.invalidate());
  }
  regenerate(): Promise<void> {
    this.#writable("regenerate the session");
    return this.#core.serial(() => this.#core.regenerate());
  }
  lock(options: SessionLockOptions = {}): Promise<void> {
    this.#writable("lock the session");
    return this.#core.serial(() => this.#core.lock(options));
  }
  unlock(): Promise<void> {
    return this.#core.serial(() => this.#core.unlock());
  }
  setCookie(): string | undefined {
    return this.#core.setCookie();
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
