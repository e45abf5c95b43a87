import { systemClock } from "@pubkit/async";
import { memberLog } from "@pubkit/async/log";

import { checkKeys } from "./_check_keys.ts";
import type { PoolOptions } from "./pool_options.ts";

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

// Warnings (leaks, recoveries) go to LogTape under ["pubkit", "pool"] when it is configured.
const POOL_LOG = memberLog(["pubkit", "pool"]);
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
  checkKeys("create pool", options, KEYS);
  const resolved: Record<string, unknown> = { ...DEFAULTS, clock: systemClock, logger: POOL_LOG };
  for (const [key, value] of Object.entries(options)) {
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
