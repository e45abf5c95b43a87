/**
 * {@linkcode Publisher}: maps URLs to the exported functions of a root directory of modules.
 *
 * @module
 */
import { HttpError, type Req, respond } from "@pubkit/request";
import { fromFileUrl, relative, SEPARATOR } from "./_fs_path.ts";
import { checkAccess } from "./access.ts";
import type { CallContext } from "./publish_options.ts";
import type { BeforeCall, HandleOptions, PublisherOptions } from "./publisher_options.ts";
import type { Route } from "./route.ts";
import type { Scope, StartupHook } from "./scope.ts";
import { ModuleLoader } from "./_loader.ts";
import { splitPath } from "./_path.ts";
import { scan } from "./_scan.ts";
import { buildTable, lookup, scopeOf, type Table } from "./_table.ts";
import { checkOptionKeys } from "./_check_options.ts";

const OPTION_KEYS: ReadonlySet<string> = new Set(["root", "dev", "watch", "before", "debounce"]);
const NOT_FOUND = "Not Found";

// Reaches a publisher's route table for scopeForTesting(), set by the class's static block.
let tableOf: (publisher: Publisher) => Table;

/**
 * Publishes the exported functions of a root directory.
 *
 * Resolution of `/a/b/c`, the longest match first: a function named by the whole path wins over
 * a shorter one with path info. A key is claimed, in order, by (1) an export (or an object
 * member, `/a/b/obj/m`) of the shallower module (`a/b.ts` export `c`, then `a/b/index.ts`
 * export `c`), (2) the `index` export of the deeper module (`a/b/c.ts`, then
 * `a/b/c/index.ts`). Only functions published with `{ pathInfo: true }` take extra segments
 * (as `context.pathInfo`). `/` is `index.ts` export `index`.
 *
 * @example
 * ```ts
 * import { Publisher } from "@pubkit/publisher";
 * import { Req } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/hello.ts`,
 *   "export function hello(_req: unknown, { name = 'world' }: { name?: string }) { return `Hello, ${name}`; }\n" +
 *   "export function _secret() { return 'no'; }\n");
 * await using publisher = await Publisher.create({ root });
 * const response = await publisher.handle(new Req(new Request("http://localhost/hello/hello?name=Ada")));
 * assert.equal(await response.text(), "Hello, Ada");
 * assert.equal(publisher.resolve("/hello/_secret"), undefined);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export class Publisher implements AsyncDisposable {
  static {
    tableOf = (publisher) => publisher.#table;
  }

  #root: string;
  #before: BeforeCall | undefined;
  #loader: ModuleLoader;
  #table: Table;
  #debounce: number;
  #watcher: Deno.FsWatcher | undefined;
  #watching: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reloading: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(root: string, loader: ModuleLoader, table: Table, options: PublisherOptions) {
    this.#root = root;
    this.#loader = loader;
    this.#table = table;
    this.#before = options.before;
    this.#debounce = options.debounce ?? 50;
  }

  /**
   * Scans the root, imports every public module and `_config.ts`, and builds the route table
   * and the scopes. Dispatch afterwards does no filesystem work.
   *
   * @param options The root, dev mode and the before-call hook.
   * @returns The publisher.
   * @throws {RangeError} For an unknown option or a bad `_config.ts` option.
   * @throws {TypeError} For an option of the wrong type.
   * @throws {Error} When a module fails to import (the message names it).
   */
  static async create(options: PublisherOptions): Promise<Publisher> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Cannot create publisher: options must be an object");
    }
    checkOptionKeys(options, OPTION_KEYS, "create publisher");
    const { root, dev = false, watch = true, before, debounce = 50 } = options;
    if (typeof root !== "string" && !(root instanceof URL)) {
      throw new TypeError("Cannot create publisher: root must be a path or a file: URL");
    }
    if (before !== undefined && typeof before !== "function") {
      throw new TypeError("Cannot create publisher: before must be a function");
    }
    if (!Number.isFinite(debounce) || debounce < 0) {
      throw new RangeError("Cannot create publisher: debounce must be a non-negative number");
    }
    const path = root instanceof URL ? fromFileUrl(root) : root;
    const tree = await scan(path);
    const loader = new ModuleLoader(dev);
    const table = buildTable(tree, await loader.load(tree));
    const publisher = new Publisher(tree.root, loader, table, options);
    if (dev && watch) publisher.#watch();
    return publisher;
  }

  /** The real absolute path of the root. */
  get root(): string {
    return this.#root;
  }

  /** How many dev reloads have succeeded. */
  get reloads(): number {
    return this.#loader.version;
  }

  /**
   * Finds the published function for a path.
   *
   * @param pathname The percent-encoded URL path.
   * @returns The route, or `undefined` (404: the same for names that exist and do not).
   * @throws {HttpError} 400 for a hostile or malformed path.
   */
  resolve(pathname: string): Route | undefined {
    return this.#table.plainPaths.get(pathname) ?? lookup(this.#table, splitPath(pathname));
  }

  /**
   * The start-up hooks, in order: folders depth first (parents before children, names in
   * code-unit order); in each folder its `_config.ts` `startup` hooks in the order listed, then
   * the `_startup` exports of its modules in file-name order.
   *
   * @typeParam C The server's context type.
   * @returns The hooks.
   */
  startupHooks<C = unknown>(): readonly StartupHook<C>[] {
    return this.#table.startup as readonly StartupHook<C>[];
  }

  /**
   * Answers a request: resolve (404/400) → `before` → access hooks (401/403, or the guard's
   * response) → method (405 with `Allow`; HEAD wherever GET is) → form and validation (400) →
   * `fn(req, fields, context)` → the return value converted to a response. The body is read only
   * for a function that declares a fields parameter (`fn.length >= 2`) or validates fields.
   *
   * @param req The request.
   * @param options A route already resolved.
   * @returns The response (for HEAD: the same status and headers, no body): at once when
   * every step was synchronous, otherwise a promise; failures reject, never throw.
   * @throws {HttpError} 4xx for the cases above, or what the function threw.
   */
  handle(req: Req, options?: HandleOptions): Response | Promise<Response> {
    try {
      const route = options?.route ?? this.resolve(req.path);
      if (!route) throw new HttpError(404, NOT_FOUND);
      const answer = this.#before?.(req, route);
      const hooks = route.hooks;
      // The common request (a GET with no body, hooks or validation) needs no await at all.
      if (
        answer === undefined &&
        (req.method === "GET" || (req.method !== "HEAD" && req.request.body === null)) &&
        hooks.auth === undefined && hooks.access === undefined && hooks.guard === undefined &&
        !route.options?.validate
      ) {
        checkMethod(req, route);
        return call(req, route, req.query.toObject(), undefined);
      }
      return this.#handle(req, route, answer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #handle(req: Req, route: Route, before: unknown): Promise<Response> {
    const head = req.method === "HEAD";
    const answer = before instanceof Promise ? await before : before;
    if (answer instanceof Response) return head ? await withoutBody(answer) : answer;
    const hooks = route.hooks;
    let user: string | undefined;
    if (hooks.auth !== undefined || hooks.access !== undefined || hooks.guard !== undefined) {
      const checked = await checkAccess(req, hooks);
      if (checked.response) return head ? await withoutBody(checked.response) : checked.response;
      user = checked.user;
    }
    checkMethod(req, route);
    // Without a body the form is the query: no need to wait for it. A function that declares no
    // fields parameter (and validates none) never has its body read: a large upload to it costs
    // nothing.
    const form = route.options?.form === false || req.request.body === null ||
        (route.fn.length < 2 && !route.options?.validate)
      ? req.query
      : await req.form();
    const fields = route.options?.validate ? await route.options.validate(form) : form.toObject();
    const response = await call(req, route, fields, user);
    return head ? await withoutBody(response) : response;
  }

  /**
   * Rescans the root and re-imports changed modules and every module that imports them; the
   * table is swapped only when everything imported. Reloads run one at a time.
   *
   * @returns `true` when something changed.
   * @throws {Error} When a changed module fails to import (the old table stays).
   */
  reload(): Promise<boolean> {
    const run = this.#reloading.then(async () => {
      const tree = await scan(this.#root);
      const result = await this.#loader.reload(tree);
      if (!result) return false;
      this.#table = buildTable(tree, result.namespaces);
      return true;
    });
    this.#reloading = run.catch(() => {});
    return run;
  }

  #watch(): void {
    const watcher = this.#watcher = Deno.watchFs(this.#root, { recursive: true });
    this.#watching = (async () => {
      for await (const event of watcher) {
        if (event.paths.some((path) => this.#relevant(path))) this.#schedule();
      }
    })().catch((error) => {
      if (!this.#closed) console.error("publisher: the file watcher stopped:", error);
    });
  }

  #relevant(path: string): boolean {
    const rel = relative(this.#root, path);
    if (rel.startsWith("..")) return false;
    return !rel.split(SEPARATOR).some((part) => part.startsWith(".") || part === "node_modules");
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.reload().catch((error) => console.error("publisher: reload failed:", error));
    }, this.#debounce);
  }

  /**
   * Stops the watcher, waits for a running reload, and deletes the reload copies.
   *
   * @returns When everything is stopped.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    await this.#watching;
    await this.#reloading;
    await this.#loader.close();
  }

  /** Same as {@linkcode Publisher.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** 405 with `Allow` unless the route takes the method (HEAD wherever GET is). */
function checkMethod(req: Req, route: Route): void {
  const methods = route.methods;
  if (allows(methods, req.method) || (req.method === "HEAD" && allows(methods, "GET"))) return;
  throw methodNotAllowed(req, methods);
}

function methodNotAllowed(req: Req, methods: readonly string[]): HttpError {
  const allow = methods.includes("GET") && !methods.includes("HEAD")
    ? [...methods, "HEAD"]
    : methods;
  return new HttpError(405, `Method ${req.method} not allowed`, {
    headers: { allow: allow.join(", ") },
  });
}

/**
 * Whether `method` is in `methods`. A loop, not `includes()`: the JIT does not inline that builtin
 * for a frozen array (the loop measured 32 fewer instructions per published hello request).
 */
function allows(methods: readonly string[], method: string): boolean {
  for (let i = 0; i < methods.length; i++) if (methods[i] === method) return true;
  return false;
}

/** Calls the published function and converts what it returns. */
function call(
  req: Req,
  route: Route,
  fields: unknown,
  user: string | undefined,
): Response | Promise<Response> {
  const context: CallContext = { route, pathInfo: route.pathInfo, user };
  const fn = route.fn as (req: Req, fields: unknown, context: CallContext) => unknown;
  return respond(req, (req) => fn(req, fields, context));
}

/**
 * The same status and headers without the body. One whose length is not in its headers (a stream)
 * gets an empty stream instead, so that no length is announced: Deno would say 0 for `null`.
 */
async function withoutBody(response: Response): Promise<Response> {
  const unsized = response.body !== null && !response.headers.has("content-length");
  await response.body?.cancel().catch(() => {});
  return new Response(unsized ? ReadableStream.from([]) : null, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * The effective options of the deepest public folder on a path: for this package's tests, not
 * part of its API (it is not exported from `mod.ts`).
 *
 * @param publisher The publisher.
 * @param pathname The percent-encoded URL path.
 * @returns The scope.
 * @throws {HttpError} 400 for a hostile or malformed path.
 */
export function scopeForTesting(publisher: Publisher, pathname: string): Scope {
  return scopeOf(tableOf(publisher), splitPath(pathname));
}
