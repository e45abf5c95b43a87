/**
 * {@linkcode Pool}: a bounded, fair pool of resources (database connections, clients) with
 * timeouts on every wait, validation, lifetimes, leak detection and a draining `close()`.
 *
 * @module
 */

import { type Clock, type TimerHandle, WaitQueue } from "@pubkit/async";
import type { Lease } from "./lease.ts";
import type { PoolFactory } from "./pool_factory.ts";
import {
  PoolClosedError,
  PoolCreateError,
  PoolQueueFullError,
  PoolResourceError,
  PoolTimeoutError,
} from "./errors.ts";
import { checkKeys } from "./_check_keys.ts";
import { CreateBackoff } from "./_create_backoff.ts";
import { Entry, type LeaseHost, LeaseImpl } from "./_lease.ts";
import { PoolStats } from "./_pool_stats.ts";
import { PoolTelemetry } from "./_telemetry.ts";
import { type ResolvedOptions, resolveOptions } from "./_options.ts";
import type { PoolAcquireOptions, PoolCloseOptions, PoolOptions } from "./pool_options.ts";
import type { OutstandingLease, PoolCloseReport } from "./pool_close_report.ts";
import type { PoolMetrics } from "./pool_metrics.ts";

const CLOSE_KEYS: ReadonlySet<string> = new Set(["deadline"]);

/**
 * A bounded pool of resources made by a {@linkcode PoolFactory}.
 *
 * - `acquire()` lends an idle resource at once, or creates one (up to `max`), or queues the
 *   caller first-in-first-out; every wait ends by `acquireTimeout` with `PoolTimeoutError`.
 * - A create failure rejects the waiters it cannot serve with `PoolCreateError` (cause: the
 *   factory's error) instead of leaving them hanging; further creates back off
 *   (`createRetryDelay` doubling to `createRetryMaxDelay`), and during the back-off callers
 *   that would need a new resource are refused at once. The next create after the back-off
 *   that succeeds ends it: the pool recovers by itself.
 * - Resources idle longer than `validateAfterIdle` are validated before lending; resources
 *   past `maxLifetime` or reported broken are destroyed instead of lent.
 * - `close({ deadline })` stops lending, rejects waiters with `PoolClosedError`, waits for
 *   leases up to the deadline, destroys everything and reports what was still out.
 *
 * @typeParam T The resource type.
 *
 * @example Lending and giving back
 * ```ts
 * import { Pool } from "@pubkit/pool";
 * import assert from "node:assert/strict";
 *
 * let next = 0;
 * const pool = new Pool({
 *   create: () => Promise.resolve({ id: ++next }),
 *   destroy() {},
 * }, { max: 2 });
 * {
 *   await using lease = await pool.acquire();
 *   assert.equal(lease.resource.id, 1);
 * }
 * assert.equal(await pool.use((r) => r.id), 1); // the idle resource is reused
 * const report = await pool.close();
 * assert.deepEqual(report.outstanding, []);
 * ```
 */
export class Pool<T> {
  #factory: PoolFactory<T>;
  #o: ResolvedOptions;
  #clock: Clock;
  #host: LeaseHost<T>;
  /** Idle entries, a stack: the most recently returned is lent first. */
  #idle: Entry<T>[] = [];
  #all = new Set<Entry<T>>();
  /** Callers waiting for a lease; each carries its stack for leak reports. */
  #queue: WaitQueue<Lease<T>, string | undefined>;
  #stats = new PoolStats();
  #telemetry: PoolTelemetry;
  #backoff: CreateBackoff;
  #retryTimer: TimerHandle = undefined;
  #housekeepingTimer: TimerHandle = undefined;
  #creates = new Set<AbortController>();
  #createWork = new Set<Promise<unknown>>();
  #work = new Set<Promise<unknown>>();
  #closed = false;
  #closePromise: Promise<PoolCloseReport> | undefined = undefined;
  #drained: (() => void) | undefined = undefined;

  /**
   * Makes a pool. Nothing is created until `start()` or the first `acquire()`.
   *
   * @param factory Makes, checks and destroys the resources.
   * @param options Limits and timeouts; see {@linkcode PoolOptions} for the defaults.
   * @throws {RangeError} For an unknown option or an out-of-range value.
   * @throws {TypeError} For a factory without `create` and `destroy`, or a bad clock/logger.
   */
  constructor(factory: PoolFactory<T>, options?: PoolOptions) {
    if (
      typeof factory?.create !== "function" || typeof factory.destroy !== "function" ||
      (factory.validate !== undefined && typeof factory.validate !== "function") ||
      (factory.isBroken !== undefined && typeof factory.isBroken !== "function") ||
      (factory.isFatalError !== undefined && typeof factory.isFatalError !== "function")
    ) {
      throw new TypeError("Cannot create pool: the factory needs create() and destroy()");
    }
    this.#factory = factory;
    this.#o = resolveOptions(options);
    const o = this.#o;
    this.#clock = o.clock;
    this.#backoff = new CreateBackoff(o.createRetryDelay, o.createRetryMaxDelay);
    this.#queue = new WaitQueue({
      timeout: o.acquireTimeout,
      maxLength: o.maxWaiting,
      clock: o.clock,
      timeoutError: (_stack, timeout) => {
        this.#stats.timeouts++;
        return new PoolTimeoutError(
          `Cannot acquire: timed out after ${timeout} ms (${this.#stats.borrowed}/${o.max} ` +
            `lent, ${this.#queue.length} waiting)`,
          this.#backoff.streak > 0 ? { cause: this.#backoff.lastError } : undefined,
        );
      },
      fullError: (waiting) =>
        new PoolQueueFullError(
          `Cannot acquire: ${waiting} callers are already waiting (maxWaiting)`,
        ),
    });
    this.#host = {
      giveBack: (lease, suspect) => this.#giveBack(lease, suspect),
      destroyLent: (lease) => this.#destroyLent(lease),
    };
    this.#telemetry = new PoolTelemetry(o.name, () => this.metrics());
  }

  /** `true` once {@linkcode Pool.prototype.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Warms the pool: creates resources up to `min` and starts housekeeping. Call it at
   * start-up so that a broken configuration fails the start instead of the first request.
   *
   * @returns Resolves when `min` resources exist.
   * @throws {PoolCreateError} If a creation fails (cause: the factory's error).
   * @throws {PoolClosedError} If the pool is closed.
   *
   * @example Warming to `min`
   * ```ts
   * import { Pool } from "@pubkit/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ create: () => Promise.resolve({}), destroy() {} }, { min: 2 });
   * await pool.start();
   * assert.equal(pool.metrics().idle, 2);
   * await pool.close();
   * ```
   */
  async start(): Promise<void> {
    if (this.#closed) throw new PoolClosedError("Cannot start the pool: it is closed");
    this.#armHousekeeping();
    const results: Promise<unknown>[] = [];
    for (let n = this.#o.min - this.#stats.size - this.#stats.creating; n > 0; n--) {
      results.push(this.#create());
    }
    for (const error of await Promise.all(results)) {
      if (error !== undefined) {
        throw new PoolCreateError(
          `Cannot start the pool "${this.#o.name}": creating a resource failed`,
          { cause: error },
        );
      }
    }
  }

  /**
   * Borrows a resource. Give it back with `release()` or `await using`.
   *
   * @param options `signal` to stop waiting, `timeout` to override `acquireTimeout`.
   * @returns A lease on an idle, new or returned resource.
   * @throws {PoolTimeoutError} If no resource came within the timeout.
   * @throws {PoolCreateError} If creating the needed resource failed, or the pool is backing
   *   off after a failure (cause: the factory's error).
   * @throws {PoolQueueFullError} If `maxWaiting` callers are already waiting.
   * @throws {PoolClosedError} If the pool is closed or closes while waiting.
   * @throws {RangeError} For a timeout that is not a positive finite number.
   *
   * @example Waiting with a timeout
   * ```ts
   * import { Pool, PoolTimeoutError } from "@pubkit/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ create: () => Promise.resolve({}), destroy() {} }, { max: 1 });
   * const first = await pool.acquire();
   * await assert.rejects(pool.acquire({ timeout: 10 }), PoolTimeoutError);
   * first.release();
   * await pool.close();
   * ```
   */
  acquire(options?: PoolAcquireOptions): Promise<Lease<T>> {
    if (this.#closed) {
      return Promise.reject(new PoolClosedError("Cannot acquire: the pool is closed"));
    }
    if (options !== undefined) {
      if (options.signal?.aborted) return Promise.reject(options.signal.reason);
      const timeout = options.timeout;
      if (timeout !== undefined && !(timeout > 0 && timeout < Infinity)) {
        return Promise.reject(
          new RangeError(`Cannot acquire: option "timeout" is ${String(timeout)}`),
        );
      }
    }
    if (this.#queue.length === 0 && this.#idle.length > 0) {
      const now = this.#clock.now();
      const entry = this.#takeIdle(now);
      if (entry !== undefined) {
        this.#stats.wait.recordZero();
        this.#telemetry.servedAtOnce();
        return Promise.resolve(this.#lend(entry, now, this.#acquirerStack()));
      }
    }
    const waiting = this.#queue.wait(this.#acquirerStack(), options);
    this.#dispatch();
    return this.#telemetry.waited(waiting);
  }

  /**
   * Borrows a resource for the duration of `fn` and gives it back afterwards. If `fn`
   * throws, the resource is validated (when the factory can) before it is lent again.
   *
   * @typeParam R What `fn` returns.
   * @param fn Uses the resource; must not keep it.
   * @param options As for {@linkcode Pool.prototype.acquire}.
   * @returns What `fn` returned.
   * @throws What `fn` threw, or what {@linkcode Pool.prototype.acquire} throws.
   *
   * @example Running a query
   * ```ts
   * import { Pool } from "@pubkit/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ create: () => Promise.resolve({ answer: 42 }), destroy() {} });
   * assert.equal(await pool.use((r) => r.answer), 42);
   * await pool.close();
   * ```
   */
  async use<R>(fn: (resource: T) => R | Promise<R>, options?: PoolAcquireOptions): Promise<R> {
    const lease = await this.acquire(options) as LeaseImpl<T>;
    let result: R;
    try {
      result = await fn(lease.entry.resource);
    } catch (error) {
      const resource = lease.entry.resource;
      if (this.#factory.isFatalError?.(error, resource)) {
        await lease.destroy();
        throw new PoolResourceError(
          "Cannot use the pooled resource: it broke while in use; it was destroyed, retry",
          { cause: error },
        );
      }
      if (!lease.done) {
        lease.done = true;
        this.#giveBack(lease, true);
      }
      throw error;
    }
    lease.release();
    return result;
  }

  /**
   * A snapshot of the gauges, counters and the acquire-wait histogram.
   *
   * @returns The current metrics.
   *
   * @example Reading the gauges
   * ```ts
   * import { Pool } from "@pubkit/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ create: () => Promise.resolve({}), destroy() {} });
   * const lease = await pool.acquire();
   * const m = pool.metrics();
   * assert.equal(m.size, 1);
   * assert.equal(m.borrowed, 1);
   * assert.equal(m.created, 1);
   * lease.release();
   * await pool.close();
   * ```
   */
  metrics(): PoolMetrics {
    return this.#stats.snapshot(this.#idle.length, this.#queue.length);
  }

  /**
   * Closes the pool: stops lending, rejects waiters with `PoolClosedError`, destroys idle
   * resources, waits for outstanding leases up to `deadline`, then destroys their resources
   * too (their later `release()` does nothing) and reports them. Idempotent: later calls
   * return the same promise. Takes at most about `deadline` + `destroyTimeout`.
   *
   * @param options `deadline`: how long to wait for outstanding leases (default 10000 ms).
   * @returns What was still out, and how many resources were destroyed.
   * @throws {RangeError} For an unknown option or a negative deadline.
   *
   * @example A lease still out at the deadline
   * ```ts
   * import { Pool } from "@pubkit/pool";
   * import assert from "node:assert/strict";
   *
   * const pool = new Pool({ create: () => Promise.resolve({}), destroy() {} });
   * const lease = await pool.acquire();
   * const report = await pool.close({ deadline: 10 });
   * assert.equal(report.outstanding.length, 1);
   * assert.equal(lease.released, true);
   * ```
   */
  close(options?: PoolCloseOptions): Promise<PoolCloseReport> {
    if (this.#closePromise !== undefined) return this.#closePromise;
    checkKeys("close pool", options ?? {}, CLOSE_KEYS);
    const deadline = options?.deadline ?? 10_000;
    if (typeof deadline !== "number" || !(deadline >= 0) || !Number.isFinite(deadline)) {
      throw new RangeError(`Cannot close pool: option "deadline" is ${String(deadline)}`);
    }
    this.#closed = true;
    this.#telemetry.close();
    this.#closePromise = this.#close(deadline);
    return this.#closePromise;
  }

  /**
   * Closes the pool with the default deadline, for `await using pool = new Pool(...)`.
   *
   * @returns Resolves when closed.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- lending -------------------------------------------------------------------------

  /** Pops a lendable idle entry; retires broken/expired ones, starts validating stale ones. */
  #takeIdle(now: number): Entry<T> | undefined {
    const idle = this.#idle;
    const factory = this.#factory;
    while (idle.length > 0) {
      const entry = idle.pop()!;
      if (
        now >= entry.expiresAt ||
        (factory.isBroken !== undefined && factory.isBroken(entry.resource))
      ) {
        this.#destroyEntry(entry);
        continue;
      }
      if (factory.validate !== undefined && now - entry.lastReturned > this.#o.validateAfterIdle) {
        this.#validate(entry);
        return undefined;
      }
      return entry;
    }
    return undefined;
  }

  /** The acquirer's stack for leak reports, when leak detection is on (costly otherwise). */
  #acquirerStack(): string | undefined {
    if (this.#o.leakDetectionThreshold === 0) return undefined;
    const holder = new Error("Lease acquired here");
    Error.captureStackTrace(holder, Pool.prototype.acquire);
    return holder.stack;
  }

  #lend(entry: Entry<T>, now: number, stack: string | undefined): LeaseImpl<T> {
    entry.state = "borrowed";
    this.#stats.borrowed++;
    const lease = new LeaseImpl(this.#host, entry, now);
    entry.lease = lease;
    const threshold = this.#o.leakDetectionThreshold;
    if (threshold > 0) {
      lease.stack = stack;
      lease.leakTimer = this.#clock.setTimeout(() => {
        lease.leakTimer = undefined;
        lease.leakReported = true;
        this.#o.logger.warn(
          `${this.#o.name}: Possible leak: a lease has been held for more than ${threshold} ms ` +
            `(leakDetectionThreshold); acquired at:\n${lease.stack}`,
        );
      }, threshold);
    }
    return lease;
  }

  /** Gives a live entry to the longest waiter, or parks it idle. */
  #offer(entry: Entry<T>, now: number): void {
    const waiter = this.#queue.head;
    if (waiter === undefined) {
      entry.state = "idle";
      this.#idle.push(entry);
      return;
    }
    this.#stats.wait.record(now - waiter.since);
    this.#queue.grant(this.#lend(entry, now, waiter.owner));
  }

  /** Serves waiters from idle entries, then creates what is still missing. */
  #dispatch(): void {
    if (this.#closed) return;
    const queue = this.#queue;
    if (queue.length > this.#stats.validating && this.#idle.length > 0) {
      const now = this.#clock.now();
      while (queue.length > this.#stats.validating && this.#idle.length > 0) {
        const entry = this.#takeIdle(now);
        if (entry !== undefined) this.#offer(entry, now);
      }
    }
    this.#fill();
  }

  /** Starts the creates that waiters and `min` need, or refuses waiters during back-off. */
  #fill(): void {
    if (this.#closed) return;
    const stats = this.#stats;
    const unserved = this.#queue.length - stats.creating - stats.validating;
    const room = this.#o.max - stats.size - stats.creating;
    let n = Math.max(unserved, this.#o.min - stats.size - stats.creating);
    if (n > room) n = room;
    if (n <= 0) return;
    const backoff = this.#backoff;
    const wait = backoff.remaining(this.#clock.now());
    if (wait > 0) {
      // Fail fast: a waiter that needs a new resource would only wait out its timeout.
      for (let refuse = Math.min(unserved, room); refuse > 0 && this.#queue.length > 0; refuse--) {
        this.#queue.refuseNewest(
          new PoolCreateError(
            `Cannot acquire: creating a resource failed ${backoff.streak} time(s) in a row; ` +
              `retrying in ${wait} ms`,
            { cause: backoff.lastError },
          ),
        );
      }
      this.#armRetry(wait);
      return;
    }
    for (; n > 0; n--) this.#create();
  }

  // ---- returning -----------------------------------------------------------------------

  #endLoan(lease: LeaseImpl<T>): boolean {
    const entry = lease.entry;
    if (entry.lease !== lease) return false;
    entry.lease = null;
    this.#stats.borrowed--;
    if (lease.leakTimer !== undefined) this.#clock.clearTimeout(lease.leakTimer);
    if (lease.leakReported) {
      this.#o.logger.warn(
        `${this.#o.name}: The lease reported as a possible leak was returned after ` +
          `${this.#clock.now() - lease.acquiredAt} ms`,
      );
    }
    return true;
  }

  #giveBack(lease: LeaseImpl<T>, suspect: boolean): void {
    if (!this.#endLoan(lease)) return;
    const entry = lease.entry;
    if (this.#closed) {
      this.#destroyEntry(entry);
      this.#checkDrained();
      return;
    }
    const factory = this.#factory;
    const validate = suspect && factory.validate !== undefined;
    if (this.#queue.length === 0 && !validate) {
      if (entry.expired || (factory.isBroken !== undefined && factory.isBroken(entry.resource))) {
        this.#destroyEntry(entry);
        this.#fill();
        return;
      }
      // No one waits: park it without reading the clock, which is half the cost of an
      // uncontended acquire + release (its lifetime timer says whether it expired). The loan's
      // start stands in for its return: that only makes it look idle for longer, so it is
      // validated or reaped sooner, never later.
      entry.lastReturned = lease.acquiredAt;
      entry.state = "idle";
      this.#idle.push(entry);
      return;
    }
    const now = this.#clock.now();
    if (
      now >= entry.expiresAt || (factory.isBroken !== undefined && factory.isBroken(entry.resource))
    ) {
      this.#destroyEntry(entry);
      this.#fill();
      return;
    }
    entry.lastReturned = now;
    if (validate) {
      this.#validate(entry);
      return;
    }
    this.#offer(entry, now);
  }

  #destroyLent(lease: LeaseImpl<T>): Promise<void> {
    if (!this.#endLoan(lease)) return Promise.resolve();
    const done = this.#destroyEntry(lease.entry);
    if (this.#closed) this.#checkDrained();
    else this.#fill();
    return done;
  }

  #checkDrained(): void {
    if (this.#stats.borrowed === 0 && this.#drained !== undefined) this.#drained();
  }

  // ---- factory calls -------------------------------------------------------------------

  /** Runs `fn` but gives up after `ms`, rejecting with a `PoolTimeoutError`. */
  #bounded<R>(fn: () => R | Promise<R>, ms: number, action: string): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = this.#clock.setTimeout(
        () => reject(new PoolTimeoutError(`Cannot ${action}: timed out after ${ms} ms`)),
        ms,
      );
      new Promise<R>((r) => r(fn())).then(resolve, reject).finally(() =>
        this.#clock.clearTimeout(timer)
      );
    });
  }

  #track(set: Set<Promise<unknown>>, promise: Promise<unknown>): void {
    set.add(promise);
    const forget = () => set.delete(promise);
    promise.then(forget, forget);
  }

  /** Creates one resource; resolves to `undefined` on success or to the error. */
  #create(): Promise<unknown> {
    this.#stats.creating++;
    const epoch = this.#backoff.epoch;
    const controller = new AbortController();
    this.#creates.add(controller);
    const timeout = this.#o.createTimeout;
    let settled = false;
    let report!: (error: unknown) => void;
    const result = new Promise<unknown>((resolve) => report = resolve);
    const finish = (ok: boolean, value: unknown): void => {
      if (settled) {
        // A create that finished after its timeout or the close: nobody wants it.
        if (ok) this.#destroyResource(value as T);
        return;
      }
      settled = true;
      this.#clock.clearTimeout(timer);
      controller.signal.removeEventListener("abort", onAbort);
      this.#creates.delete(controller);
      this.#stats.creating--;
      if (ok) {
        this.#onCreated(value as T);
        report(undefined);
      } else {
        this.#onCreateFailed(value, epoch);
        report(value);
      }
    };
    const onAbort = () => finish(false, controller.signal.reason);
    controller.signal.addEventListener("abort", onAbort, { once: true });
    const timer = this.#clock.setTimeout(
      () =>
        controller.abort(
          new PoolTimeoutError(`Cannot create a resource: timed out after ${timeout} ms`),
        ),
      timeout,
    );
    const created = new Promise<T>((resolve) => resolve(this.#factory.create(controller.signal)));
    this.#track(
      this.#createWork,
      created.then((resource) => finish(true, resource), (error) => finish(false, error)),
    );
    return result;
  }

  #onCreated(resource: T): void {
    const now = this.#clock.now();
    const o = this.#o;
    const expiresAt = o.maxLifetime > 0
      ? now + o.maxLifetime - Math.random() * o.maxLifetimeJitter * o.maxLifetime
      : Infinity;
    const entry = new Entry(resource, now, expiresAt);
    if (expiresAt !== Infinity) {
      entry.lifetimeTimer = this.#clock.setTimeout(() => {
        entry.lifetimeTimer = undefined;
        entry.expired = true;
      }, expiresAt - now);
      this.#clock.unref?.(entry.lifetimeTimer);
    }
    this.#stats.size++;
    this.#stats.created++;
    this.#all.add(entry);
    const failures = this.#backoff.succeeded();
    if (failures > 0) {
      o.logger.warn(`${o.name}: Recovered: created a resource after ${failures} failure(s)`);
    }
    if (this.#closed) {
      this.#destroyEntry(entry);
      return;
    }
    this.#armHousekeeping();
    this.#offer(entry, now);
    this.#dispatch();
  }

  #onCreateFailed(error: unknown, epoch: number): void {
    if (this.#closed) return;
    this.#stats.createFailures++;
    if (this.#backoff.failed(error, epoch, this.#clock.now())) {
      this.#o.logger.warn(`${this.#o.name}: Cannot create a resource: ${String(error)}`);
    }
    // Reject the waiters no create in flight can serve; arm the retry.
    this.#fill();
  }

  #validate(entry: Entry<T>): void {
    entry.state = "validating";
    this.#stats.validating++;
    const validate = this.#factory.validate!;
    const checked = this.#bounded(
      () => validate.call(this.#factory, entry.resource),
      this.#o.validateTimeout,
      "validate a resource",
    ).then((ok) => ok === true, () => false).then((ok) => {
      this.#stats.validating--;
      if (entry.state !== "validating") return;
      if (!ok || this.#closed) {
        this.#destroyEntry(entry);
        this.#dispatch();
        return;
      }
      const now = this.#clock.now();
      entry.lastReturned = now;
      this.#offer(entry, now);
      this.#dispatch();
    });
    this.#track(this.#work, checked);
  }

  #destroyEntry(entry: Entry<T>): Promise<void> {
    if (entry.state === "destroyed") return Promise.resolve();
    entry.state = "destroyed";
    if (entry.lifetimeTimer !== undefined) this.#clock.clearTimeout(entry.lifetimeTimer);
    this.#stats.size--;
    this.#stats.destroyed++;
    this.#all.delete(entry);
    return this.#destroyResource(entry.resource);
  }

  #destroyResource(resource: T): Promise<void> {
    const done = this.#bounded(
      () => this.#factory.destroy(resource),
      this.#o.destroyTimeout,
      "destroy a resource",
    ).catch((error) => {
      this.#o.logger.warn(`${this.#o.name}: Cannot destroy a resource: ${String(error)}`);
    });
    this.#track(this.#work, done);
    return done;
  }

  // ---- timers --------------------------------------------------------------------------

  #armRetry(delay: number): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#dispatch();
    }, delay);
  }

  #armHousekeeping(): void {
    if (this.#housekeepingTimer !== undefined || this.#closed) return;
    this.#housekeepingTimer = this.#clock.setTimeout(
      () => this.#housekeep(),
      this.#o.housekeepingInterval,
    );
    this.#clock.unref?.(this.#housekeepingTimer);
  }

  /** Retires expired, broken and (above `min`) long-idle resources; refills to `min`. */
  #housekeep(): void {
    this.#housekeepingTimer = undefined;
    if (this.#closed) return;
    const now = this.#clock.now();
    const o = this.#o;
    const factory = this.#factory;
    let excess = this.#stats.size - o.min;
    const keep: Entry<T>[] = [];
    // The idle stack's bottom is the least recently returned: check it first.
    for (const entry of this.#idle) {
      if (now >= entry.expiresAt || (factory.isBroken?.(entry.resource) ?? false)) {
        this.#destroyEntry(entry);
        excess--;
      } else if (o.idleTimeout > 0 && now - entry.lastReturned >= o.idleTimeout && excess > 0) {
        this.#destroyEntry(entry);
        excess--;
      } else {
        keep.push(entry);
      }
    }
    this.#idle = keep;
    this.#dispatch();
    this.#armHousekeeping();
  }

  // ---- closing -------------------------------------------------------------------------

  async #close(deadline: number): Promise<PoolCloseReport> {
    const clock = this.#clock;
    const destroyedBefore = this.#stats.destroyed;
    if (this.#retryTimer !== undefined) clock.clearTimeout(this.#retryTimer);
    if (this.#housekeepingTimer !== undefined) clock.clearTimeout(this.#housekeepingTimer);
    this.#retryTimer = this.#housekeepingTimer = undefined;
    while (this.#queue.length > 0) {
      this.#queue.refuse(new PoolClosedError("Cannot acquire: the pool is closing"));
    }
    for (const controller of [...this.#creates]) {
      controller.abort(new PoolClosedError("Cannot create a resource: the pool is closing"));
    }
    for (const entry of this.#idle) this.#destroyEntry(entry);
    this.#idle = [];

    let timer: TimerHandle = undefined;
    const deadlinePassed = new Promise<void>((resolve) => {
      timer = clock.setTimeout(resolve, deadline);
    });
    if (this.#stats.borrowed > 0) {
      const drained = new Promise<void>((resolve) => this.#drained = resolve);
      await Promise.race([drained, deadlinePassed]);
    }
    clock.clearTimeout(timer);
    const outstanding: OutstandingLease[] = [];
    const now = clock.now();
    for (const entry of [...this.#all]) {
      const lease = entry.lease;
      if (entry.state !== "borrowed" || lease === null) continue;
      lease.done = true;
      this.#endLoan(lease);
      outstanding.push({
        acquiredAt: lease.acquiredAt,
        heldFor: now - lease.acquiredAt,
        ...(lease.stack === undefined ? {} : { stack: lease.stack }),
      });
      this.#destroyEntry(entry);
    }
    if (outstanding.length > 0) {
      this.#o.logger.warn(
        `${this.#o.name}: Closed with ${outstanding.length} lease(s) still out after ` +
          `${deadline} ms; their resources were destroyed`,
      );
    }
    // Destroys and validations are bounded by their own timeouts.
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    if (this.#createWork.size > 0) {
      // Aborted creates should settle promptly; a factory that ignores its signal gets
      // destroyTimeout more, and a resource it delivers later is destroyed on arrival.
      let grace: TimerHandle = undefined;
      await Promise.race([
        Promise.allSettled([...this.#createWork]),
        new Promise<void>((resolve) => grace = clock.setTimeout(resolve, this.#o.destroyTimeout)),
      ]);
      clock.clearTimeout(grace);
      while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
    }
    return { outstanding, destroyed: this.#stats.destroyed - destroyedBefore };
  }
}
