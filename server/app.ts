/**
 * `createApp()`: composes the members into one `fetch` handler with a lifecycle.
 *
 * @module
 */
import {
  BodyBudget,
  BodyDeadline,
  type BodyDeadlineOptions,
  type FormLimits,
  type Handler,
  HttpError,
  type Req,
  respond,
} from "@pubkit/request";
import {
  builtResponse,
  hasCleanups,
  type RequestChain,
  requestChain,
  streamedResponse,
} from "@pubkit/request/internal";
import type { Pool } from "@pubkit/pool";
import { Publisher, type Route } from "@pubkit/publisher";
import type { SessionManager } from "@pubkit/session";
import { type AppHost, AppReq, type AppReqOptions } from "./app_req.ts";
import { whenDone, withSessionCookie } from "./_response_hooks.ts";
import { errorResponse } from "./error_response.ts";
import type { LogLevel, Sink } from "./access_log.ts";
import { SERVER_CATEGORY } from "./access_log.ts";
import { AppLog } from "./_log.ts";
import { allowedHostsOption, authorityOf, checkHost } from "./_host.ts";
import {
  DEFAULT_SECURITY_HEADERS,
  layerSecurityHeaders,
  type SecurityHeaders,
} from "./security_headers.ts";
import { ConnectionGuard, type ConnectionGuardOptions } from "./connection_guard.ts";
import { Lifecycle, type LifecycleHook, type ServerCleanup } from "./lifecycle.ts";
import { staticFiles, type StaticFilesOptions } from "./static_files.ts";
import { Templates, type TemplatesOptions } from "./templates.ts";
import { TrustProxy } from "./trust_proxy.ts";
import { recordRoute, tracedDispatch } from "./_telemetry.ts";

/** Handles one request of an application. */
export type AppHandler = (req: AppReq) => unknown;

/** What to publish with `@pubkit/publisher`. */
export interface PublishFolderOptions {
  /** The folder of published modules. */
  root: string | URL;
  /** Reload changed modules and their importers while running (development). */
  dev?: boolean;
}

/** Options for {@linkcode createApp}. */
export interface AppOptions {
  /**
   * Publishes the exported functions of a folder (created at start-up; its `_config.ts` scopes
   * set sessions, templates and form limits per folder and may declare start-up hooks).
   */
  publish?: PublishFolderOptions;
  /** Handles requests the publisher does not (or every request, without `publish`). */
  handler?: AppHandler;
  /** Serves a folder of static files under a URL prefix, before anything else. */
  static?: StaticFilesOptions;
  /** Sessions for `req.openSession()`; the app does not close the manager. */
  sessions?: SessionManager;
  /** Template engine settings for `req.render()` and `req.fill()`. */
  templates?: TemplatesOptions;
  /** Start-up hooks, run once in order before the first request is served. */
  startup?: readonly LifecycleHook<App>[];
  /** Show stacks on 500 pages (development only). */
  debug?: boolean;
  /**
   * Where the app's log records go: one {@linkcode AccessRecord} per request (category
   * `["pubkit", "server", "access"]`) and its own messages, errors among them
   * (`["pubkit", "server"]`). A LogTape sink: any function taking a `LogRecord`, such as
   * `bufferedSink({ format: "json" })` (the app flushes a sink that has `flush()` at
   * {@linkcode App.close}, and does not dispose it). Without it: LogTape's sinks for those
   * categories when the application has configured LogTape (`configure()` from
   * `@logtape/logtape`), else a {@linkcode bufferedSink} of the app's own writing text lines to
   * stdout, flushed every 100 ms and at close.
   */
  log?: Sink;
  /** Log one {@linkcode AccessRecord} per request; on by default. */
  accessLog?: boolean;
  /**
   * How long each cleanup may take, in ms (the server's at shutdown, a request's after its
   * response, and the log's last write at close); 5 s by default.
   */
  cleanupTimeout?: number;
  /** Limits for `req.form()`. */
  formLimits?: Partial<FormLimits>;
  /**
   * The deadline and minimum rate for reading request bodies (30 s, 500 B/s after 5 s by
   * default): a slower client gets 408 and `Connection: close`. `false` turns it off.
   */
  bodyDeadline?: BodyDeadlineOptions | false;
  /** The longest request target (path and query) in bytes; longer is 414. 8 KiB by default. */
  maxTargetBytes?: number;
  /**
   * Addresses of the reverse proxies in front of the app. Only from these peers are
   * `X-Forwarded-For` (`req.remoteAddr`) and `X-Forwarded-Proto` (`req.https`, and so the
   * session cookie's `Secure`) believed; from any other peer they are ignored. None by default.
   */
  trustProxy?: readonly string[];
  /**
   * The host names this app answers for (as Django's `ALLOWED_HOSTS`): any other `Host` is a 400,
   * so no absolute URL is ever built from a forged one. `.example.com` allows the domain and
   * all its subdomains. Every well-formed host by default.
   */
  allowedHosts?: readonly string[];
  /**
   * Headers every response the app builds carries unless it sets them itself, merged key by key
   * over {@linkcode DEFAULT_SECURITY_HEADERS} (`false` removes one; `false` for the whole option
   * sends none). A folder's `_config.ts` may change them for its subtree.
   */
  securityHeaders?: SecurityHeaders | false;
  /**
   * The most request body bytes held in memory at once across all requests in flight (form
   * fields, small uploads); past it, body reads answer 503 with `Retry-After`. 64 MiB by default.
   */
  maxBufferedBodyBytes?: number;
  /**
   * Uploaded files above `threshold` bytes (1 MiB by default) are kept in temporary files in
   * `dir` (the system's by default), removed when the request ends.
   */
  spool?: { dir?: string; threshold?: number };
}

/** Options for {@linkcode App.serve}. */
export interface ServeOptions {
  /** The port; 8000 by default, 0 for any free port. */
  port?: number;
  /** The address to listen on; `127.0.0.1` by default. */
  hostname?: string;
  /** Stops the server (gracefully) when aborted. */
  signal?: AbortSignal;
  /** How long in-flight requests may take to finish after a stop, in ms; 10 s by default. */
  shutdownTimeout?: number;
  /** Stop on SIGINT/SIGTERM (a second signal exits at once); on by default. */
  handleSignals?: boolean;
  /** Called with the URL once listening; by default the URL is logged. */
  onListen?: (url: URL) => void;
  /**
   * Close connections whose request head is slow or that sit idle, which `Deno.serve` does not
   * do (see {@linkcode ConnectionGuard}). Off by default: the guard copies every byte once more,
   * which measured 56–58 µs of server CPU per hello request against 15 µs without it, so a
   * reverse proxy with these deadlines is the better place when there is one.
   */
  connectionDeadlines?: ConnectionGuardOptions;
}

const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];
/** How long, under `deno serve`, a signal waits for requests in flight before the app closes. */
const SERVE_DRAIN_TIMEOUT = 10_000;
const SHUTTING_DOWN = "Server is shutting down; retry on a new connection.\n";

/**
 * A composed application: `fetch` for in-process use, `Deno.serve` or `deno serve`
 * (`export default app`), `serve()` to listen with a graceful stop, and `close()`.
 *
 * @example In process
 * ```ts
 * import { createApp } from "@pubkit/server";
 * import assert from "node:assert/strict";
 *
 * const app = createApp({ handler: (req) => `Hello, ${req.query.get("name")}`, accessLog: false });
 * const response = await app.fetch(new Request("http://localhost/?name=Ada"));
 * assert.equal(await response.text(), "Hello, Ada");
 * await app.close();
 * ```
 */
export class App {
  /** Server-level cleanups and start-up state. */
  readonly lifecycle: Lifecycle;
  /**
   * Handles one request; bound, so it can be passed around or exported as `{ fetch }`.
   *
   * @param request The request.
   * @param info Connection info from `Deno.serve` or `deno serve`.
   * @returns The response: at once when the handler answered synchronously, otherwise a
   * promise (failures become error responses either way).
   */
  readonly fetch: (request: Request, info?: Deno.ServeHandlerInfo) => Response | Promise<Response>;

  #options: AppOptions;
  #services: AppHost;
  #reqOptions: AppReqOptions;
  #pools: Record<string, Pool<unknown>> = Object.create(null);
  #handler: Handler;
  // The handler always resolves with a Response (publisher, static files): no respond() around it.
  #answersResponses = false;
  #log: AppLog;
  #started: Promise<void> | undefined;
  #ready = false; // start() has finished: requests skip awaiting it
  #startFailureLogged = false;
  #draining = false;
  #serving = false;
  #closeOnSignal: (() => void) | undefined;
  #guard: ConnectionGuard | undefined;
  // Only chains that registered cleanups: a Set entry per request costs more than a hello page.
  #withCleanups = new Set<RequestChain>();
  #maxTargetBytes: number;
  #allowedHosts: string[] | undefined;
  // The last host that passed checkHost(): nearly every request has the same one, and reading a
  // request's headers or running the checks costs more than a published hello function.
  #knownHost = "";
  #securityHeaders: Readonly<Record<string, string>> | undefined;
  // The headers of each folder scope that changes them, computed on first use.
  #scopeHeaders = new WeakMap<object, Readonly<Record<string, string>> | undefined>();

  /**
   * Creates the app; prefer {@linkcode createApp}.
   *
   * @param options The handler and settings.
   */
  constructor(options: AppOptions) {
    if (options.handler !== undefined && typeof options.handler !== "function") {
      throw new TypeError("Cannot create app: handler is not a function");
    }
    if (!options.handler && !options.publish) {
      throw new TypeError("Cannot create app: give a handler, a folder to publish, or both");
    }
    this.#options = options;
    this.#log = new AppLog(options.log, options.cleanupTimeout);
    this.#maxTargetBytes = options.maxTargetBytes ?? 8 * 1024;
    if (!(this.#maxTargetBytes >= 0)) {
      throw new RangeError(
        `Cannot create app: maxTargetBytes ${options.maxTargetBytes} is invalid`,
      );
    }
    this.#allowedHosts = allowedHostsOption(options.allowedHosts);
    this.#securityHeaders = options.securityHeaders === false
      ? undefined
      : layerSecurityHeaders(DEFAULT_SECURITY_HEADERS, options.securityHeaders ?? {});
    this.lifecycle = new Lifecycle({
      cleanupTimeout: options.cleanupTimeout,
      log: this.#logError,
    });
    this.fetch = (request, info) => this.#fetch(request, info);
    this.#handler = options.handler as Handler ?? notFound;
    this.#services = {
      sessions: options.sessions,
      pools: this.#pools,
      registerCleanup: (cleanup, name) => this.registerCleanup(cleanup, name),
      trackCleanups: (chain) => void this.#withCleanups.add(chain),
      templates: new Templates(options.templates),
      clientAddress: (info) => this.#clientAddress(info),
      proxies: new TrustProxy(options.trustProxy ?? []),
      listensPlain: () => this.#serving,
    };
    // One options object for every request (per-request facts are the request and its info).
    this.#reqOptions = {
      services: this.#services,
      formLimits: options.formLimits,
      // Guards the body of every request that has one (the options are checked here, at once).
      bodyDeadline: options.bodyDeadline === false
        ? undefined
        : new BodyDeadline(options.bodyDeadline ?? {}),
      dispatch: tracedDispatch(this.#dispatch),
      defaultHeaders: this.#securityHeaders,
      bodyBudget: new BodyBudget({ maxBytes: options.maxBufferedBodyBytes }),
      spool: { threshold: 1024 * 1024, ...options.spool },
      onCleanupError: (error, id) => this.#logError(`[${id}] a request cleanup failed`, error),
      cleanupTimeout: options.cleanupTimeout,
    };
  }

  /** The named pools, as handlers see them in `req.server.pools`. */
  get pools(): Readonly<Record<string, Pool<unknown>>> {
    return this.#pools;
  }

  /**
   * Names a pool so handlers reach it (`req.server.pools[name]`, `req.acquire(name)`), and
   * registers its close as a server cleanup. Call it from a start-up hook.
   *
   * @param name The pool's name.
   * @param pool The pool.
   * @returns The pool.
   * @throws {TypeError} When the name is taken.
   */
  addPool<T>(name: string, pool: Pool<T>): Pool<T> {
    if (Object.hasOwn(this.#pools, name)) {
      throw new TypeError(`Cannot add pool ${JSON.stringify(name)}: the name is taken`);
    }
    this.#pools[name] = pool as Pool<unknown>;
    this.registerCleanup(async () => void await pool.close(), `pool ${name}`);
    return pool;
  }

  /**
   * Registers a server-level cleanup, run last in first out at shutdown. Usable at start-up
   * (from a start-up hook) and from requests (`req.server.registerCleanup`).
   *
   * @param cleanup The callback.
   * @param name A name for logs.
   */
  registerCleanup(cleanup: ServerCleanup, name?: string): void {
    this.lifecycle.registerCleanup(cleanup, name);
  }

  /**
   * Runs the start-up hooks once; `fetch` and `serve` call it, so calling it yourself only
   * makes failures surface earlier.
   *
   * @returns When start-up is done.
   * @throws {StartupError} When a hook fails.
   */
  start(): Promise<void> {
    return this.#started ??= this.#start();
  }

  async #start(): Promise<void> {
    await this.lifecycle.start(this.#options.startup ?? [], this);
    const { publish, static: files } = this.#options;
    let handler = this.#handler;
    if (publish) {
      const publisher = await Publisher.create({
        root: publish.root,
        dev: publish.dev,
        before: (req, route) => this.#applyScope(req as AppReq, route),
      });
      this.registerCleanup(() => publisher.close(), "publisher");
      await this.lifecycle.start(publisher.startupHooks<App>(), this);
      const fallback = this.#options.handler as Handler | undefined;
      handler = fallback
        ? (req) => {
          const route = publisher.resolve(req.path);
          return route ? publisher.handle(req, { route }) : fallback(req);
        }
        : (req) => publisher.handle(req);
    }
    if (files) {
      const serveFile = staticFiles(files);
      const next = handler;
      handler = (req) => req.path.startsWith(files.prefix) ? serveFile(req) : next(req);
    }
    this.#handler = handler;
    this.#answersResponses = publish !== undefined && !this.#options.handler;
  }

  // Synchronous from end to end when the handler is (a published hello function): Deno.serve
  // then writes the response without a single await.
  #fetch(request: Request, info?: Deno.ServeHandlerInfo): Response | Promise<Response> {
    if (!this.#ready) {
      return this.start().then(() => {
        this.#ready = true;
        return this.#fetch(request, info);
      }, (error) => this.#notStarted(error));
    }
    if (info && !this.#serving && !this.#closeOnSignal) this.#closeOnSignals();
    if (this.#draining) {
      return new Response(SHUTTING_DOWN, {
        status: 503,
        headers: { ...this.#securityHeaders, connection: "close", "retry-after": "1" },
      });
    }
    const started = this.#options.accessLog !== false ? Date.now() : undefined;
    const req = new AppReq(request, this.#reqOptions, info);
    let answer: Response | Promise<Response>;
    try {
      checkTarget(req.href, this.#maxTargetBytes);
      const authority = authorityOf(req.href);
      if (authority !== this.#knownHost || authority.startsWith("localhost")) {
        checkHost(authority, info && request, this.#allowedHosts);
        this.#knownHost = authority;
      }
      answer = this.#answersResponses
        ? this.#handler(req) as Response | Promise<Response>
        : respond(req, this.#handler);
    } catch (error) {
      answer = this.#errorResponse(error, req);
    }
    if (answer instanceof Response) return this.#complete(req, answer, info, started);
    return answer.then(
      (response) => this.#complete(req, response, info, started),
      async (error) => this.#complete(req, await this.#errorResponse(error, req), info, started),
    );
  }

  /**
   * The answer of an app whose start failed while someone else's listener serves it (`deno
   * serve`, `Deno.serve(app.fetch)`): a 503 with the security headers, the failure logged once.
   * `app.serve()` never listens then.
   */
  #notStarted(error: unknown): Response {
    if (!this.#startFailureLogged) {
      this.#startFailureLogged = true;
      this.#logError("The app did not start; every request is answered 503", error);
    }
    return new Response("Service unavailable: the application did not start.\n", {
      status: 503,
      headers: {
        ...this.#securityHeaders,
        "content-type": "text/plain;charset=UTF-8",
        "retry-after": "60",
      },
    });
  }

  // Never throws (errorResponse reads an error's fields guarded): every error, however odd,
  // reaches #complete, so the request's cleanups run and its session lock is freed.
  #errorResponse(error: unknown, req: AppReq): Response | Promise<Response> {
    const response = errorResponse(error, req, { debug: this.#options.debug, log: this.#logError });
    if (response.status !== 500 || req.errorPage === undefined) return response;
    return this.#errorPage(error, req, req.errorPage, response);
  }

  /** The folder's error page for a 500, or the plain 500 if the page itself fails. */
  async #errorPage(
    error: unknown,
    req: AppReq,
    page: string,
    plain: Response,
  ): Promise<Response> {
    try {
      const engines = await this.#services.templates.for(req.templatePaths);
      const html = await engines.embedded.render(page, {
        error,
        requestId: req.id,
        stack: this.#options.debug && error instanceof Error ? error.stack : undefined,
        req,
      });
      const headers = new Headers(plain.headers);
      headers.set("content-type", "text/html; charset=utf-8");
      await plain.body?.cancel();
      return new Response(html, { status: 500, headers });
    } catch (pageError) {
      this.#logError(`[${req.id}] the error page ${page} failed`, pageError);
      return plain;
    }
  }

  /**
   * The session saved (a changed session is durable before its response goes out, so the
   * client's next request reads it), its cookie, the access log line, and the cleanups once
   * the response is sent.
   */
  #complete(
    req: AppReq,
    response: Response,
    info: Deno.ServeHandlerInfo | undefined,
    started: number | undefined,
  ): Response | Promise<Response> {
    if (response.type === "error") {
      // `Response.error()` is a network error to fetch(); a server has nothing to send for it.
      response = errorResponse(new TypeError("The handler answered Response.error()"), req, {
        log: this.#logError,
      });
    }
    if (req.hasSession && req.session.modified) {
      return req.session.save().then(
        () => this.#completeSaved(req, response, info, started),
        async (error) => {
          await response.body?.cancel();
          return this.#completeSaved(req, await this.#errorResponse(error, req), info, started);
        },
      );
    }
    return this.#completeSaved(req, response, info, started);
  }

  #completeSaved(
    req: AppReq,
    response: Response,
    info: Deno.ServeHandlerInfo | undefined,
    started: number | undefined,
  ): Response | Promise<Response> {
    if (req.hasSession) response = withSessionCookie(response, req.session);
    // A response the request did not build itself (a handler's own, a static file) gets the
    // security headers here; one it built has them already.
    if (
      req.defaultHeaders !== undefined && response !== builtResponse(req) &&
      response !== streamedResponse(req)
    ) {
      response = withHeaders(response, req.defaultHeaders);
    }
    if (started !== undefined) {
      // The wall clock: a quarter of what performance.now() costs here, whole milliseconds as
      // nginx logs them, and the time stamp besides.
      const now = Date.now();
      this.#log.access({
        method: req.method,
        path: loggedTarget(req.target, this.#maxTargetBytes),
        status: response.status,
        duration: Math.max(0, now - started), // the wall clock can step back
        requestId: req.id,
        remoteAddr: req.remoteAddr,
        route: req.route,
      }, now);
    }
    // A response built in full with nothing to clean up (a hello page) is done here.
    return hasCleanups(req) || req.headersSent ? this.#finishLater(req, response, info) : response;
  }

  /**
   * Runs the request's cleanups (session save, lease release) once the response is complete:
   * when the server reports it sent, else when the body has been read. The chain stays tracked
   * until they settle, so that close() waits for them.
   */
  async #finishLater(
    req: AppReq,
    response: Response,
    info: Deno.ServeHandlerInfo | undefined,
  ): Promise<Response> {
    const finish = () => {
      if (!hasCleanups(req)) return;
      const chain = requestChain(req);
      return chain.runCleanups().finally(() => this.#withCleanups.delete(chain));
    };
    if (info?.completed) info.completed.then(finish, finish);
    else if (response.body === null) await finish();
    else return new Response(whenDone(response.body, finish), response);
    return response;
  }

  /**
   * Writes a message of the application into the app's log (its `log` sink, LogTape, or the
   * default buffered sink on stdout), under `category` (`["app"]` by default): mod_python's
   * `req.log_error()`, with the log's buffering and escaping.
   *
   * @example
   * ```ts
   * import { createApp } from "@pubkit/server";
   * import type { LogRecord } from "@pubkit/server";
   * import assert from "node:assert/strict";
   *
   * const records: LogRecord[] = [];
   * const app = createApp({ handler: () => "hi", log: (record) => records.push(record) });
   * app.log("the cache is warm");
   * assert.deepEqual(records[0].category, ["app"]);
   * assert.deepEqual(records[0].message, ["the cache is warm"]);
   * await app.close();
   * ```
   *
   * @param message The message.
   * @param options `level` (`"info"`, or `"error"` with an `error`), the `error` (its stack is
   * logged), and the `category`.
   */
  log(message: string, options: AppLogOptions = {}): void {
    const { error, category = APP_CATEGORY } = options;
    const level = options.level ?? (error === undefined ? "info" : "error");
    this.#log.message(category, level, message, error);
  }

  /** Logs an error of the app (a 5xx, a failing cleanup) under `["pubkit", "server"]`. */
  #logError = (message: string, error?: unknown): void => {
    this.#log.message(SERVER_CATEGORY, "error", message, error);
  };

  #applyScope(req: AppReq, route: Route): Promise<unknown> | undefined {
    return applyScope(req, route, this.#headersOf);
  }

  /** The app's security headers with a folder scope's changes (computed once per scope). */
  #headersOf = (scope: Route["scope"]): Readonly<Record<string, string>> | undefined => {
    if (!this.#scopeHeaders.has(scope)) {
      const headers = layerSecurityHeaders(this.#securityHeaders, scope.securityHeaders ?? {});
      this.#scopeHeaders.set(scope, headers);
    }
    return this.#scopeHeaders.get(scope);
  };

  /** Dispatches an internal redirect through the whole app (bound: one function per app). */
  #dispatch = async (request: Request, prev: Req): Promise<Response> => {
    const from = prev as AppReq;
    const req = new AppReq(request, {
      ...this.#reqOptions,
      prev: from,
      session: from.hasSession ? from.session : undefined,
    });
    let response: Response;
    try {
      response = await respond(req, this.#handler);
    } catch (error) {
      response = await this.#errorResponse(error, req);
    }
    // A session first opened by the target carries its cookie back through the original.
    return req.hasSession ? withSessionCookie(response, req.session) : response;
  };

  /**
   * Listens for HTTP, logs the URL, and stops gracefully on SIGINT/SIGTERM or `signal`: stop
   * accepting, answer new requests on kept-alive connections with 503 and `Connection: close`,
   * let in-flight requests finish up to `shutdownTimeout`, then run the request cleanups still
   * pending (releasing session locks and leases) and the server cleanups last in first out.
   * A second signal exits once the log's write under way has ended (at most a second), writing
   * the rest of the log on the way out.
   *
   * @param options Port, hostname, signal and timeouts.
   * @returns When the server has stopped and cleaned up.
   * @throws {StartupError} When a start-up hook fails; nothing listens then.
   */
  async serve(options: ServeOptions = {}): Promise<void> {
    const { port = 8000, hostname = "127.0.0.1", shutdownTimeout = 10_000 } = options;
    await this.start();
    this.#serving = true;
    const announce = (addr: Deno.NetAddr) => {
      const url = new URL(`http://${addr.hostname}:${addr.port}/`);
      if (options.onListen) options.onListen(url);
      else this.#log.message(SERVER_CATEGORY, "info", `Listening on ${url}`);
    };
    const deadlines = options.connectionDeadlines;
    const server = Deno.serve({
      ...(deadlines ? { hostname: "127.0.0.1", port: 0 } : { hostname, port }),
      onListen: deadlines ? () => {} : announce,
    }, this.fetch);
    if (deadlines) {
      const listener = Deno.listen({ hostname, port });
      this.#guard = new ConnectionGuard(listener, server.addr, deadlines);
      announce(listener.addr);
    }
    const { promise: stopped, resolve } = Promise.withResolvers<void>();
    // Draining starts at once, not a microtask later, so no request slips in between.
    const stop = () => {
      this.#draining = true;
      resolve();
    };
    const signals = options.handleSignals === false ? [] : SIGNALS;
    let signalled = false;
    const onSignal = () => {
      // The log's write under way ends first, so that its last lines, written at the exit, are
      // written once each.
      if (signalled) return void this.#log.settle().then(() => Deno.exit(1));
      signalled = true;
      stop();
    };
    for (const signal of signals) Deno.addSignalListener(signal, onSignal);
    options.signal?.addEventListener("abort", () => stop(), { once: true });
    if (options.signal?.aborted) stop();
    try {
      await stopped;
      this.#draining = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, shutdownTimeout);
      });
      await this.#guard?.close();
      await Promise.race([server.shutdown(), deadline]);
      clearTimeout(timer);
      this.#guard?.closeAll();
      await this.close();
    } finally {
      for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
    }
  }

  /** The client's IP address from the connection info (behind the guard: the guard's client). */
  #clientAddress(info: Deno.ServeHandlerInfo): string | undefined {
    const addr = info.remoteAddr;
    if (addr?.transport !== "tcp") return undefined;
    return (this.#guard?.clientOf(addr.port) ?? addr).hostname;
  }

  /**
   * Served by someone else's listener (`deno serve`, which has no shutdown hook for the app):
   * on SIGINT/SIGTERM, drain first — requests still holding a session, a lease or another
   * cleanup finish (up to `SERVE_DRAIN_TIMEOUT`) — then close, so that pools and store
   * connections let the worker exit once the runtime has drained its connections. Closing at
   * the signal closed the session store under requests still using it (their update was lost).
   */
  #closeOnSignals(): void {
    this.#closeOnSignal = () => {
      this.#draining = true;
      void this.#drained(SERVE_DRAIN_TIMEOUT).then(() => this.close());
    };
    for (const signal of SIGNALS) Deno.addSignalListener(signal, this.#closeOnSignal);
  }

  /** Resolves once no request holds cleanups (sessions, leases), or after `timeout` ms. */
  async #drained(timeout: number): Promise<void> {
    const deadline = Date.now() + timeout;
    // Polled: this runs once per shutdown, and the hot path stays free of bookkeeping.
    while (this.#withCleanups.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * Runs the cleanups of requests still in flight, then the server cleanups (last in first
   * out). Idempotent.
   *
   * @returns When everything has been cleaned up.
   */
  async close(): Promise<void> {
    this.#draining = true;
    if (this.#closeOnSignal) {
      for (const signal of SIGNALS) Deno.removeSignalListener(signal, this.#closeOnSignal);
    }
    await Promise.all([...this.#withCleanups].map((chain) => chain.runCleanups()));
    await this.lifecycle.close();
    await this.#log.flush(); // last: the cleanups' own failures are in it
  }
}

/**
 * The target as logged: a longer one than the app accepts (answered 414) is cut to `max`
 * characters and `...`, so a client cannot make each of its lines tens of kilobytes.
 */
function loggedTarget(target: string, max: number): string {
  return target.length <= max ? target : target.slice(0, max) + "...";
}

/** Refuses a request target (path and query) longer than `max` bytes with 414. */
function checkTarget(url: string, max: number): void {
  if (url.length <= max) return; // the target is only part of the URL
  // The target is what follows the origin; Deno gives an absolute URL with an ASCII origin.
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const length = start < 0 ? 1 : url.length - start;
  if (length > max) {
    throw new HttpError(
      414,
      `Cannot handle the request: its target is ${length} bytes, over the limit of ${max}`,
      { headers: { connection: "close" } },
    );
  }
}

/**
 * `response` with each of `defaults` it lacks: set in place, or on a copy when its headers are
 * immutable (`Response.redirect()`, a fetched response).
 */
function withHeaders(response: Response, defaults: Readonly<Record<string, string>>): Response {
  let headers = response.headers;
  for (const name in defaults) {
    if (headers.has(name)) continue;
    try {
      headers.set(name, defaults[name]);
    } catch {
      response = new Response(response.body, response);
      headers = response.headers;
      headers.set(name, defaults[name]);
    }
  }
  return response;
}

/** The default handler: nothing here. */
function notFound(): never {
  throw new HttpError(404, "Not Found");
}

/**
 * Applies a published function's folder scope before it runs: template search path, form
 * limits, security headers, and the session (opened, locked or read-only, before the access
 * hooks run, so a guard can read it).
 */
function applyScope(
  req: AppReq,
  route: Route,
  headersOf: (scope: Route["scope"]) => Readonly<Record<string, string>> | undefined,
): Promise<unknown> | undefined {
  const { scope } = route;
  recordRoute(req, route.path);
  req.route = route.path;
  if (scope.securityHeaders !== undefined) req.defaultHeaders = headersOf(scope);
  req.templatePaths = scope.templates;
  req.errorPage = scope.errorPage;
  // Only a scope that sets limits costs an object per request.
  if (scope.formLimits) req.formLimits = { ...req.formLimits, ...scope.formLimits };
  // Synchronous unless there is a session to open: a published function costs no extra await.
  return scope.session ? req.openSession({ lock: scope.session === "lock" }) : undefined;
}

/** Options for {@linkcode App.prototype.log}. */
export interface AppLogOptions {
  /** `"info"` by default, `"error"` when an `error` is given. */
  level?: LogLevel;
  /** An error to log with its stack. */
  error?: unknown;
  /** The LogTape category; `["app"]` by default. */
  category?: readonly string[];
}

const APP_CATEGORY: readonly string[] = Object.freeze(["app"]);

/**
 * Creates an application from a handler and settings.
 *
 * @example
 * ```ts
 * import { createApp } from "@pubkit/server";
 * import { HttpError } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * const app = createApp({
 *   handler: () => {
 *     throw new HttpError(403, "Cannot delete this note: it is not yours");
 *   },
 *   accessLog: false,
 * });
 * const response = await app.fetch(new Request("http://localhost/notes/1"));
 * assert.equal(response.status, 403);
 * assert.equal(await response.text(), "Cannot delete this note: it is not yours\n");
 * await app.close();
 * ```
 *
 * @param options The handler and settings.
 * @returns The app.
 * @throws {TypeError} When `handler` is not a function or `allowedHosts` is not an array.
 * @throws {RangeError} For an `allowedHosts` entry that is not a host name.
 */
export function createApp(options: AppOptions): App {
  return new App(options);
}
