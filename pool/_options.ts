import { type Clock, systemClock } from "./clock.ts";

/** Logs the pool's warnings (leaks, create failures, forced closes). `console` fits. */
export interface PoolLogger {
  /**
   * Logs one warning.
   *
   * @param message The warning.
   */
  warn(message: string): void;
}

/** Options of `new Pool(factory, options)`; every time is in milliseconds. */
export interface PoolOptions {
  /** Most resources alive at once, lent or idle. Default 10. */
  max?: number;
  /** Resources kept alive even when idle; `start()` creates them. Default 0. */
  min?: number;
  /** Longest an `acquire()` waits before `PoolTimeoutError`. Default 5000. */
  acquireTimeout?: number;
  /** Longest one `factory.create()` may take; its signal is aborted then. Default 5000. */
  createTimeout?: number;
  /** Longest one `factory.destroy()` is waited for. Default 5000. */
  destroyTimeout?: number;
  /** Longest one `factory.validate()` may take; a timeout counts as invalid. Default 5000. */
  validateTimeout?: number;
  /** An idle resource above `min` is destroyed after this long unused; 0 = never. Default 600000 (10 min). */
  idleTimeout?: number;
  /** A resource is retired after this long alive (less a random jitter); 0 = never. Default 1800000 (30 min). */
  maxLifetime?: number;
  /** Fraction of `maxLifetime` taken off at random per resource, so they do not all retire at once. Default 0.025. */
  maxLifetimeJitter?: number;
  /** A resource idle longer than this is validated before it is lent. Default 500. */
  validateAfterIdle?: number;
  /** Most callers waiting at once; more are refused with `PoolQueueFullError`. Default Infinity. */
  maxWaiting?: number;
  /** Warn (with the acquirer's stack) when a lease is held longer than this; 0 = off. Default 0. */
  leakDetectionThreshold?: number;
  /** First delay before creating again after a create failure; doubles per failure. Default 100. */
  createRetryDelay?: number;
  /** Upper bound of that delay. Default 5000. */
  createRetryMaxDelay?: number;
  /** How often idle resources are checked for `idleTimeout`, `maxLifetime` and `min`. Default 30000. */
  housekeepingInterval?: number;
  /** Name used in log messages. Default "pool". */
  name?: string;
  /** Time and timers; pass a `FakeClock` in tests. Default `systemClock`. */
  clock?: Clock;
  /** Where warnings go. Default `console`. */
  logger?: PoolLogger;
}

export type ResolvedOptions = Required<PoolOptions>;

const DEFAULTS: Readonly<Omit<ResolvedOptions, "clock" | "logger">> = Object.freeze({
  max: 10,
  min: 0,
  acquireTimeout: 5_000,
  createTimeout: 5_000,
  destroyTimeout: 5_000,
  validateTimeout: 5_000,
  idleTimeout: 600_000,
  maxLifetime: 1_800_000,
  maxLifetimeJitter: 0.025,
  validateAfterIdle: 500,
  maxWaiting: Infinity,
  leakDetectionThreshold: 0,
  createRetryDelay: 100,
  createRetryMaxDelay: 5_000,
  housekeepingInterval: 30_000,
  name: "pool",
});

const KEYS = new Set([...Object.keys(DEFAULTS), "clock", "logger"]);

function checkNumber(
  key: string,
  value: number,
  { min = 0, positive = false, infinite = false, integer = true } = {},
): void {
  const ok = typeof value === "number" && !Number.isNaN(value) && value >= min &&
    (!positive || value > 0) && (infinite || Number.isFinite(value)) &&
    (!integer || !Number.isFinite(value) || Number.isInteger(value));
  if (!ok) {
    throw new RangeError(`Cannot create pool: option "${key}" is ${String(value)}`);
  }
}

/** Validates options and fills in defaults. */
export function resolveOptions(options: PoolOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError("Cannot create pool: options must be an object");
  }
  const resolved: Record<string, unknown> = { ...DEFAULTS, clock: systemClock, logger: console };
  for (const [key, value] of Object.entries(options)) {
    if (!KEYS.has(key)) throw new RangeError(`Cannot create pool: unknown option "${key}"`);
    if (value !== undefined) resolved[key] = value;
  }
  const o = resolved as unknown as ResolvedOptions;
  checkNumber("max", o.max, { min: 1 });
  checkNumber("min", o.min);
  if (o.min > o.max) {
    throw new RangeError(`Cannot create pool: min (${o.min}) is greater than max (${o.max})`);
  }
  for (
    const key of ["acquireTimeout", "createTimeout", "destroyTimeout", "validateTimeout"] as const
  ) {
    checkNumber(key, o[key], { positive: true });
  }
  for (
    const key of [
      "idleTimeout",
      "maxLifetime",
      "validateAfterIdle",
      "leakDetectionThreshold",
      "createRetryDelay",
    ] as const
  ) checkNumber(key, o[key]);
  checkNumber("createRetryMaxDelay", o.createRetryMaxDelay, { min: o.createRetryDelay });
  checkNumber("housekeepingInterval", o.housekeepingInterval, { positive: true });
  checkNumber("maxWaiting", o.maxWaiting, { infinite: true });
  checkNumber("maxLifetimeJitter", o.maxLifetimeJitter, { integer: false });
  if (o.maxLifetimeJitter >= 1) {
    throw new RangeError(`Cannot create pool: option "maxLifetimeJitter" must be below 1`);
  }
  if (typeof o.name !== "string") {
    throw new TypeError(`Cannot create pool: "name" must be a string`);
  }
  const clock = o.clock;
  if (
    typeof clock?.now !== "function" || typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  ) throw new TypeError("Cannot create pool: clock needs now(), setTimeout() and clearTimeout()");
  if (typeof o.logger?.warn !== "function") {
    throw new TypeError("Cannot create pool: logger needs warn()");
  }
  return o;
}
