/**
 * At most N password hashes at once: the app's pool `passwords` holds N desks (N = cores by
 * default) and never queues, so that past N a log-in or sign-up is answered 503 at once
 * instead of piling PBKDF2 work onto the CPU that every other page needs.
 */
import { type Lease, Pool, PoolQueueFullError } from "@pubkit/pool";
import { HttpError } from "@pubkit/request";
import type { AppReq } from "@pubkit/server";
import type { LoginThrottle } from "./login_throttle.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";

/** One desk: hashing and checking passwords, and the log-in throttle. */
export interface PasswordDesk {
  readonly throttle: LoginThrottle;
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

/** Seconds a client is told to wait when every desk is busy. */
const BUSY_RETRY_AFTER = 1;

/** Creates and opens `count` desks; the pool refuses at once when all are lent. */
export async function passwordDesks(
  throttle: LoginThrottle,
  count: number,
): Promise<Pool<PasswordDesk>> {
  const desks = new Pool<PasswordDesk>({
    create: () => Promise.resolve({ throttle, hash: hashPassword, verify: verifyPassword }),
    destroy() {},
  }, {
    max: count,
    min: count,
    maxWaiting: 0,
    // Desks hold no connection: never retire them (a desk being re-created would be a 503).
    idleTimeout: 0,
    maxLifetime: 0,
    name: "passwords",
  });
  await desks.start();
  return desks;
}

/** Takes a free desk for this request, or answers 503 with `Retry-After` when none is free. */
export async function takeDesk(req: AppReq): Promise<Lease<PasswordDesk>> {
  const desks = req.server.pools.passwords as Pool<PasswordDesk>;
  try {
    return await desks.acquire();
  } catch (error) {
    if (!(error instanceof PoolQueueFullError)) throw error;
    throw new HttpError(503, "Cannot check a password now: every password desk is busy", {
      headers: { "retry-after": String(BUSY_RETRY_AFTER) },
      cause: error,
    });
  }
}
