import type { TimerHandle } from "@pubkit/async";
import type { Lease } from "./lease.ts";

/** Where a pooled resource is: what the pool may do with it follows from this alone. */
export type EntryState = "idle" | "borrowed" | "validating" | "destroyed";

/** One pooled resource and its explicit state. */
export class Entry<T> {
  state: EntryState = "idle";
  lease: LeaseImpl<T> | null = null;
  lastReturned: number;
  /** Set by a timer when `expiresAt` passes, so that a return can check it without the clock. */
  expired = false;
  lifetimeTimer: TimerHandle = undefined;
  constructor(
    readonly resource: T,
    readonly createdAt: number,
    readonly expiresAt: number,
  ) {
    this.lastReturned = createdAt;
  }
}

/** What a lease calls back into; implemented privately by the pool. */
export interface LeaseHost<T> {
  giveBack(lease: LeaseImpl<T>, suspect: boolean): void;
  destroyLent(lease: LeaseImpl<T>): Promise<void>;
}

const resolved: Promise<void> = Promise.resolve();

export class LeaseImpl<T> implements Lease<T> {
  done = false;
  stack: string | undefined = undefined;
  leakTimer: TimerHandle = undefined;
  leakReported = false;

  constructor(
    readonly host: LeaseHost<T>,
    readonly entry: Entry<T>,
    readonly acquiredAt: number,
  ) {}

  get resource(): T {
    if (this.done) throw new TypeError("Cannot use the resource: the lease was released");
    return this.entry.resource;
  }

  get released(): boolean {
    return this.done;
  }

  release(): void {
    if (this.done) return;
    this.done = true;
    this.host.giveBack(this, false);
  }

  destroy(): Promise<void> {
    if (this.done) return resolved;
    this.done = true;
    return this.host.destroyLent(this);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return resolved;
  }
}
