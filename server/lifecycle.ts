/**
 * Server-level start-up work and cleanups, usable without a request.
 *
 * @module
 */

/** A cleanup registered with the server; it may be async. */
export type ServerCleanup = () => unknown;

/** Options for {@linkcode Lifecycle}. */
export interface LifecycleOptions {
  /** The time each cleanup may take before it is abandoned; 5 s by default. */
  cleanupTimeout?: number;
  /** Where failures are reported; `console.error` by default. */
  log?: (message: string, error?: unknown) => void;
}

/** Thrown by {@linkcode Lifecycle.start} when a start-up hook fails: the server must not listen. */
export class StartupError extends Error {
  /** The name of the hook that failed. */
  readonly hook: string;

  /**
   * Creates the error.
   *
   * @param hook The failing hook's name.
   * @param cause What it threw.
   */
  constructor(hook: string, cause: unknown) {
    super(
      `Cannot start: start-up hook ${hook} failed: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
    this.name = "StartupError";
    this.hook = hook;
  }
}

/** A named start-up hook. */
export interface LifecycleHook<C> {
  /** Shown in logs and in {@linkcode StartupError}. */
  name: string;
  /** The work; it receives the server context. */
  run: (context: C) => unknown;
}

/**
 * The server's lifecycle: start-up hooks run once, in order, before the server listens; cleanups
 * registered from start-up code or from requests run last in first out at shutdown, each with
 * its own timeout. This is mod_python's missing `register_cleanup()` for modules loaded at
 * start-up.
 *
 * @example
 * ```ts
 * import { Lifecycle } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const order: string[] = [];
 * const lifecycle = new Lifecycle();
 * await lifecycle.start([
 *   { name: "db", run: (l: Lifecycle) => l.registerCleanup(() => void order.push("db")) },
 *   { name: "cache", run: (l: Lifecycle) => l.registerCleanup(() => void order.push("cache")) },
 * ], lifecycle);
 * await lifecycle.close();
 * assert.deepEqual(order, ["cache", "db"]);
 * ```
 */
export class Lifecycle {
  #cleanups: { name: string; run: ServerCleanup }[] = [];
  #cleanupTimeout: number;
  #log: (message: string, error?: unknown) => void;
  #closed: Promise<void> | undefined;

  /**
   * Creates a lifecycle.
   *
   * @param options Cleanup timeout and logger.
   * @throws {RangeError} For a negative or non-finite timeout.
   */
  constructor(options: LifecycleOptions = {}) {
    const { cleanupTimeout = 5_000, log = console.error } = options;
    if (!Number.isFinite(cleanupTimeout) || cleanupTimeout < 0) {
      throw new RangeError(`Cannot create Lifecycle: cleanupTimeout ${cleanupTimeout} is invalid`);
    }
    this.#cleanupTimeout = cleanupTimeout;
    this.#log = log;
  }

  /**
   * Runs start-up hooks one after another in the given order; the first failure stops the
   * start, after running the cleanups registered so far.
   *
   * @param hooks The hooks.
   * @param context What each hook receives.
   * @returns When all hooks have run.
   * @throws {StartupError} When a hook throws.
   */
  async start<C>(hooks: readonly LifecycleHook<C>[], context: C): Promise<void> {
    for (const hook of hooks) {
      try {
        await hook.run(context);
      } catch (error) {
        await this.close();
        throw new StartupError(hook.name, error);
      }
    }
  }

  /**
   * Registers a cleanup to run at shutdown.
   *
   * @param cleanup The callback.
   * @param name A name for logs.
   * @throws {TypeError} When `cleanup` is not a function.
   */
  registerCleanup(cleanup: ServerCleanup, name: string = cleanup.name || "cleanup"): void {
    if (typeof cleanup !== "function") {
      throw new TypeError("Cannot register cleanup: it is not a function");
    }
    this.#cleanups.push({ name, run: cleanup });
  }

  /**
   * Runs the cleanups last in first out, each bounded by the cleanup timeout; failures and
   * timeouts are logged and the others still run. Later calls return the same promise.
   *
   * @returns When every cleanup has settled or timed out.
   */
  close(): Promise<void> {
    return this.#closed ??= this.#runCleanups();
  }

  async #runCleanups(): Promise<void> {
    while (this.#cleanups.length > 0) {
      const { name, run } = this.#cleanups.pop()!;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), this.#cleanupTimeout);
      });
      try {
        const outcome = await Promise.race([Promise.resolve().then(run), timeout]);
        if (outcome === "timeout") {
          this.#log(`cleanup ${name} did not finish within ${this.#cleanupTimeout} ms`);
        }
      } catch (error) {
        this.#log(`cleanup ${name} failed`, error);
      } finally {
        clearTimeout(timer);
      }
    }
  }
}
