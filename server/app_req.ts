/**
 * `AppReq`: the `Req` an application hands to its handlers, with the server's services.
 *
 * @module
 */
import { type Cleanup, type CookieOptions, Req, type ReqOptions } from "@pubkit/request";
import { endResponse, type RequestChain, requestChain } from "@pubkit/request/internal";
import type { Session, SessionManager } from "@pubkit/session";
import type { Lease, Pool } from "@pubkit/pool";
import type { FillData, FillFunction } from "@pubkit/render";
import type { Templates } from "./templates.ts";
import type { TrustProxy } from "./trust_proxy.ts";
import { tracedRender } from "./_telemetry.ts";

/** What an {@linkcode AppReq} reaches of its application. */
export interface AppServices {
  /** The session manager, when sessions are configured. */
  sessions?: SessionManager;
  /** Named pools (`req.server.pools.db`). */
  pools: Readonly<Record<string, Pool<unknown>>>;
  /** Registers a server-level cleanup. */
  registerCleanup(cleanup: () => unknown, name?: string): void;
  /** The template engines for a search path. */
  templates: Templates;
}

/**
 * What an {@linkcode AppReq} reaches of the app besides its services: the server's plumbing,
 * not exported from `mod.ts`.
 */
export interface AppHost extends AppServices {
  /** Called when a request chain registers its first cleanup, so that `close()` can run it. */
  trackCleanups(
    chain: RequestChain,
  ): void; /** The peer's address from the connection info (behind a connection guard: its client's). */
  clientAddress(info: Deno.ServeHandlerInfo): string | undefined;
  /** The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed. */
  proxies: TrustProxy;
  /** Whether the app listens itself (`serve()`), which is plain TCP: no request came over TLS. */
  listensPlain(): boolean;
}

/** Options for {@linkcode AppReq} (the server's: not exported from `mod.ts`). */
export interface AppReqOptions extends ReqOptions {
  /** The application's services and plumbing. */
  services: AppHost;
  /** The session opened by the request this one was redirected from. */
  session?: Session;
}

/** Options for {@linkcode AppReq.openSession}. */
export interface OpenSessionOptions {
  /** Lock the session for the rest of the request; `true` by default. `false` opens a read-only view. */
  lock?: boolean;
}

const NO_PATHS: readonly string[] = Object.freeze([]);

/**
 * The request wrapper of a composed application: a `Req` plus the open session, pooled
 * resources released at request end, template rendering and the server (`req.server`).
 *
 * @example
 * ```ts
 * import { createApp } from "@pubkit/server";
 * import { MemoryStore, SessionManager } from "@pubkit/session";
 * import assert from "node:assert/strict";
 *
 * const sessions = new SessionManager({
 *   store: new MemoryStore(),
 *   secrets: ["a secret of at least thirty-two characters"],
 * });
 * const app = createApp({
 *   sessions,
 *   accessLog: false,
 *   handler: async (req) => {
 *     const session = await req.openSession();
 *     const visits = ((session.get("visits") as number | undefined) ?? 0) + 1;
 *     session.set("visits", visits);
 *     return `visit ${visits}`;
 *   },
 * });
 * const first = await app.fetch(new Request("http://localhost/"));
 * assert.equal(await first.text(), "visit 1");
 * const cookie = first.headers.get("set-cookie")!.split(";")[0];
 * const second = await app.fetch(new Request("http://localhost/", { headers: { cookie } }));
 * assert.equal(await second.text(), "visit 2");
 * await app.close();
 * await sessions.close();
 * ```
 *
 * @typeParam Data The request-scoped data the app declares (see `createDefine`), for `req.data`
 * and `req.prev?.data`.
 */
export class AppReq<Data extends object = object> extends Req {
  /** The application's services: sessions, pools, cleanups, templates. */
  readonly server: AppServices;
  #host: AppHost;
  /** Template search path for {@linkcode AppReq.render}, set from the folder's scope. */
  templatePaths: readonly string[] = NO_PATHS;
  /** The template that renders this request's uncaught errors, from the folder's scope. */
  errorPage: string | undefined;
  /** The published route that answers (`/blog/post`), once the publisher has resolved it. */
  route: string | undefined;
  #session: Session | undefined;
  #opening: Promise<Session> | undefined;
  // Read on first use: info.remoteAddr is a getter that costs an op.
  #info: Deno.ServeHandlerInfo | undefined;
  /** Came over a connection the app knows is plain TCP. */
  #plain: boolean;
  #peer: string | undefined;

  /**
   * Wraps a request for the application; the server makes them.
   *
   * @ignore
   * @param request The incoming request.
   * @param options The services and the usual `Req` options.
   * @param info Connection info from `Deno.serve`, for {@linkcode AppReq.remoteAddr}.
   */
  constructor(request: Request, options: AppReqOptions, info?: Deno.ServeHandlerInfo) {
    super(request, options);
    this.server = this.#host = options.services;
    this.#session = options.session;
    this.#info = info;
    this.#plain = info !== undefined && this.#host.listensPlain();
  }

  /** Request-scoped state for the application, typed as the app declared it. */
  override get data(): Data & Record<string, unknown> {
    return super.data as Data & Record<string, unknown>;
  }

  /** The request this one was internally redirected from, with the same services and data. */
  declare readonly prev: AppReq<Data> | undefined;

  /** The TCP peer's address (read on first use). */
  #peerAddress(): string | undefined {
    if (this.#info !== undefined) {
      this.#peer = this.#host.clientAddress(this.#info);
      this.#info = undefined;
    }
    return this.#peer;
  }

  /**
   * The client's address, when the server knows it: the peer's, or behind a proxy named in
   * `trustProxy`, the one it forwarded in `X-Forwarded-For`.
   */
  override get remoteAddr(): string | undefined {
    const peer = this.#peerAddress();
    if (peer === undefined) return super.remoteAddr;
    const { proxies } = this.#host;
    return proxies.enabled ? proxies.clientAddress(peer, this.headers) : peer;
  }

  /**
   * Whether the client reached the app over https: the URL's scheme, or behind a proxy named
   * in `trustProxy`, its `X-Forwarded-Proto`. Session cookies with `secure: "auto"` follow it.
   * On `app.serve()`'s plain listener the scheme is not believed: a client can send an
   * absolute-form target (`GET https://host/ HTTP/1.1`), from which the URL is built.
   */
  get https(): boolean {
    if (this.url.protocol === "https:" && !this.#plain) return true;
    if (!this.#host.proxies.enabled) return false;
    const peer = this.#peerAddress();
    if (peer !== undefined) return this.#host.proxies.https(peer, this.headers);
    return this.prev instanceof AppReq && this.prev.https;
  }

  /**
   * Sets a cookie as {@linkcode Req.setCookie} does, with `Secure` on by default when
   * {@linkcode AppReq.https} (so also behind a trusted TLS-terminating proxy).
   *
   * @param name The cookie name.
   * @param value The value.
   * @param options Attributes; `secure` defaults to `req.https`.
   * @throws {TypeError} When the cookie breaks a rule (see `serializeCookie`) or headers were sent.
   */
  override setCookie(name: string, value: string, options: CookieOptions = {}): void {
    super.setCookie(name, value, { ...options, secure: options.secure ?? this.https });
  }

  /**
   * The session this request opened (or the one its internal-redirect origin opened).
   *
   * @throws {TypeError} When no session was opened.
   */
  get session(): Session {
    if (!this.#session) {
      throw new TypeError(
        "Cannot read req.session: no session is open; call await req.openSession() first or " +
          'set session: "lock" in the folder\'s _config.ts',
      );
    }
    return this.#session;
  }

  /** Whether a session is open on this request. */
  get hasSession(): boolean {
    return this.#session !== undefined;
  }

  /**
   * Registers a cleanup that runs, last in first out, after the whole response is finished or
   * the client went away, or when the app closes first.
   *
   * @param cleanup The callback.
   * @throws {TypeError} When `cleanup` is not a function.
   */
  override registerCleanup(cleanup: Cleanup): void {
    const chain = requestChain(this);
    if (!chain.hasCleanups) this.#host.trackCleanups(chain);
    super.registerCleanup(cleanup);
  }

  /**
   * Opens the request's session: locked until the response is done unless `lock: false`.
   * Idempotent, and along an internal redirect the same open session is returned, never a
   * second lock attempt.
   *
   * @param options Lock or read-only.
   * @returns The session.
   * @throws {TypeError} When the application has no session manager.
   * @throws {LockTimeoutError} When another request holds the lock past the timeout (→ 503).
   */
  openSession(options: OpenSessionOptions = {}): Promise<Session> {
    if (this.#session) return Promise.resolve(this.#session);
    const manager = this.server.sessions;
    if (!manager) {
      return Promise.reject(new TypeError("Cannot open a session: the app has no sessions option"));
    }
    return this.#opening ??= manager.open(this.headers, {
      owner: requestChain(this),
      lock: options.lock ?? true,
      secure: this.https,
      signal: this.signal,
    }).then((session) => {
      this.#session = session;
      this.registerCleanup(() => session.close());
      return session;
    });
  }

  /**
   * Acquires a resource from a named pool for this request; the lease is released when the
   * request ends if the handler did not release it.
   *
   * @param pool The pool's name, as registered with `app.addPool()`.
   * @returns The lease.
   * @throws {TypeError} For an unknown pool name.
   */
  async acquire<T>(pool: string): Promise<Lease<T>> {
    const target = Object.hasOwn(this.server.pools, pool) ? this.server.pools[pool] : undefined;
    if (!target) {
      throw new TypeError(`Cannot acquire from pool ${JSON.stringify(pool)}: no such pool`);
    }
    const lease = await target.acquire({ signal: this.signal }) as Lease<T>;
    this.registerCleanup(() => lease.release());
    return lease;
  }

  /**
   * Renders an embedded-code template (`<% %>`, `.ehtml`) found on the folder's template search
   * path into an HTML response; the template sees `it.req` (and through it `req.session`, the
   * same open session: no second lock) besides `vars`.
   *
   * @param name The template name, e.g. `"notes"` for `notes.ehtml`.
   * @param vars The template's data.
   * @returns The response to return from the handler.
   * @throws {TypeError} When the folder has no template search path.
   */
  async render(name: string, vars: Record<string, unknown> = {}): Promise<Response> {
    const { embedded } = await this.server.templates.for(this.templatePaths);
    const html = await tracedRender(
      "embedded",
      name,
      // The bytes a server sends: the engine escapes on the encoded page (render/_html_bytes.ts).
      () => embedded.renderBytes(name, { ...vars, req: this }),
    );
    return endResponse(this, html, "text/html; charset=utf-8");
  }

  /**
   * Renders a fill template (plain HTML with `data-node` markers, `.html`) found on the folder's
   * template search path, filled by a function or from plain data, into an HTML response.
   *
   * @param name The template name, e.g. `"request"` for `request.html`.
   * @param fill Fills the fresh instance node by node, or data keyed by node name.
   * @returns The response to return from the handler.
   * @throws {TypeError} When the folder has no template search path.
   */
  async fill(name: string, fill: FillFunction | FillData): Promise<Response> {
    const { fill: engine } = await this.server.templates.for(this.templatePaths);
    const html = await tracedRender("fill", name, () => engine.renderBytes(name, fill));
    return endResponse(this, html, "text/html; charset=utf-8");
  }
}
