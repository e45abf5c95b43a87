/**
 * `Req`: mod_python's request object, without its traps.
 *
 * @module
 */
import type { BodyBudget, ByteBudget } from "./body_budget.ts";
import type { BodyDeadline } from "./body_deadline.ts";
import { BodyReader } from "./body_reader.ts";
import { notModified } from "./conditional.ts";
import { type CookieOptions, parseCookies, serializeCookie } from "./cookie.ts";
import type { Fields } from "./fields.ts";
import { parseForm } from "./form.ts";
import type { FormLimits } from "./form_limits.ts";
import { HeadersSentError } from "./headers_sent_error.ts";
import { HttpError } from "./http_error.ts";
import { type Cleanup, RequestChain } from "./request_chain.ts";
import { TEXT_PLAIN } from "./_content_types.ts";
import { checkHeader, ResponseHeaders } from "./response_headers.ts";
import { sendFile, type SendFileOptions } from "./send_file.ts";
import { parseQuery } from "./urlencoded.ts";

/** Dispatches a request through the whole application, for internal redirects. */
export type Dispatch = (request: Request, prev: Req) => Promise<Response>;

/** Options for {@linkcode Req}. */
export interface ReqOptions {
  /** The client's address, from the server's connection info. */
  remoteAddr?: string;
  /** The request id; a random one by default. */
  id?: string;
  /** The request this one was internally redirected from. */
  prev?: Req;
  /** Limits for {@linkcode Req.form}; the defaults of `FormLimits` otherwise. */
  formLimits?: Partial<FormLimits>;
  /** Aborts body reads, e.g. on a body-read deadline. */
  signal?: AbortSignal;
  /** Guards the reads of the request body (a GET or HEAD request has none to guard). */
  bodyDeadline?: BodyDeadline;
  /**
   * The body bytes the application holds in memory across requests: {@linkcode Req.form} counts
   * against it (503 past it) and gives its share back when the request's cleanups run.
   */
  bodyBudget?: BodyBudget;
  /**
   * Spool uploads above `threshold` bytes (1 MiB by default) to temporary files in `dir` (the
   * system's by default), removed by the request's cleanups; without it uploads stay in memory.
   */
  spool?: { dir?: string; threshold?: number };
  /** Where a failing (or timed-out) request cleanup is reported; `console.error` by default. */
  onCleanupError?: (error: unknown, requestId: string) => void;
  /** How long one request cleanup may take, in ms; 5000 by default. */
  cleanupTimeout?: number;
  /** How {@linkcode Req.internalRedirect} dispatches; without it, internal redirects throw. */
  dispatch?: Dispatch;
  /**
   * Headers every response this request builds carries unless it sets them itself (a server's
   * security headers), by lower-case name.
   */
  defaultHeaders?: Readonly<Record<string, string>>;
}

/** Options for {@linkcode Req.redirect}. */
export interface RedirectOptions {
  /** 301, 302, 303, 307 or 308; 302 by default. */
  status?: number;
  /** Allow a target on any other origin (never a `javascript:`, `data:` or `vbscript:` one). */
  external?: boolean;
  /** Other origins allowed as targets, e.g. `["https://accounts.example.com"]`. */
  origins?: readonly string[];
  /** The short plain-text body, for clients that show it; `Redirecting to <location>` by default. */
  text?: string;
}

/** The most internal redirects one request may chain. */
export const MAX_REDIRECT_DEPTH = 10;

const encoder = new TextEncoder();

/**
 * What a server (and this package's `respond`) reaches of a `Req` beyond its documented API,
 * filled in by the class's static block so that it can read the private state. Exported to the
 * other members only through `@pubkit/request/internal`.
 */
interface Plumbing {
  end(req: Req, body: BodyInit | null, defaultType: string | null): Response | Promise<Response>;
  abort(req: Req, reason: unknown): void;
  onCommit(req: Req, listener: (response: Response) => void): void;
  built(req: Req): Response | undefined;
  streamed(req: Req): Response | undefined;
  chain(req: Req): RequestChain;
  hasCleanups(req: Req): boolean;
  errorResponseHeaders(req: Req): Headers;
}
let plumbing: Plumbing;
const NULL_BODY_STATUSES = [204, 205, 304];

/**
 * The request wrapper handed to every handler: the incoming request (method, path, query,
 * headers, cookies, form) and the response being built (status, headers, cookies, streamed
 * body), plus request-scoped `data`, cleanups and internal redirects.
 *
 * Status and headers can change until the first {@linkcode Req.write}; after it they throw
 * {@linkcode HeadersSentError} instead of being silently lost.
 *
 * @example
 * ```ts
 * import { type Dispatch, MAX_REDIRECT_DEPTH, Req, type ReqOptions } from "@pubkit/request";
 * import assert from "node:assert/strict";
 *
 * // How internal redirects re-enter the application; a server passes its own.
 * const dispatch: Dispatch = (request, prev) => {
 *   const target = new Req(request, { prev, dispatch });
 *   return Promise.resolve(new Response(`total: ${target.prev?.data.total}`));
 * };
 * const options: ReqOptions = { id: "req-1", dispatch };
 * const req = new Req(
 *   new Request("http://localhost/hello?name=Ada", { headers: { cookie: "theme=dark" } }),
 *   options,
 * );
 * assert.equal(req.path, "/hello");
 * assert.equal(req.query.get("name"), "Ada");
 * assert.equal(req.cookies.theme, "dark");
 * req.status = 201;
 * req.responseHeaders.set("X-Hello", "1");
 *
 * req.data.total = 42;
 * const view = await req.internalRedirect("/view");
 * assert.equal(await view.text(), "total: 42");
 * assert.equal(MAX_REDIRECT_DEPTH, 10);
 * ```
 */
export class Req {
  /** The incoming web request. */
  readonly request: Request;
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The request this one was internally redirected from. */
  readonly prev: Req | undefined;
  /** How many internal redirects led here (0 for the original request). */
  readonly depth: number;
  /**
   * Limits for {@linkcode Req.query} and {@linkcode Req.form}; the `FormLimits` defaults for
   * what is unset. A folder's scope may change them before the form is first read.
   */
  formLimits: Partial<FormLimits> | undefined;
  /**
   * Headers every response this request builds carries unless it sets them itself, by
   * lower-case name; a folder's scope may change them before the response is built.
   */
  defaultHeaders: Readonly<Record<string, string>> | undefined;

  #id: string | undefined;
  #options: ReqOptions;
  #status = 200;
  #contentType: string | undefined;
  #query: Fields | undefined;
  #cookies: Record<string, string> | undefined;
  #form: Promise<Fields> | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #response: Response | undefined;
  #onCommit: ((response: Response) => void) | undefined;
  #url: URL | undefined;
  #href: string | undefined;
  #remoteAddr: string | undefined;
  #path: string | undefined;
  #search: string | undefined; // the query with its `?` (`URL.search`), read with the path
  // Made on first use: most responses set no header through the Req, and Headers are costly.
  #responseHeaders: ResponseHeaders | undefined;
  #errorHeaders: ResponseHeaders | undefined;
  // The rest is made on first use too: a published hello function needs none of it.
  #isSent: (() => boolean) | undefined;
  #chain: RequestChain | undefined;
  #data: Record<string, unknown> | undefined;
  #built: Response | undefined;
  #mtime: Date | undefined;
  #reader: BodyReader | undefined;
  // The request an internal redirect dispatched to: this request's writes go to its stream.
  #next: Req | undefined;

  /**
   * Wraps a web request.
   *
   * @param request The incoming request.
   * @param options Remote address, id, the previous request, limits and the dispatcher.
   */
  constructor(request: Request, options: ReqOptions = {}) {
    const method = sharedMethod(request.method);
    this.request = options.bodyDeadline === undefined || method === "GET" || method === "HEAD"
      ? request
      : options.bodyDeadline.request(request);
    this.method = method;
    this.#options = options;
    this.#remoteAddr = options.remoteAddr;
    this.formLimits = options.formLimits ?? options.prev?.formLimits;
    this.defaultHeaders = options.defaultHeaders ?? options.prev?.defaultHeaders;
    this.prev = options.prev;
    if (options.prev) options.prev.#next = this;
    this.#id = options.id;
    this.depth = options.prev ? options.prev.depth + 1 : 0;
  }

  static {
    plumbing = {
      end: (req, body, defaultType) => req.#end(body, defaultType),
      abort: (req, reason) => void req.#writer?.abort(reason).catch(() => {}),
      onCommit: (req, listener) => req.#listen(listener),
      built: (req) => req.#built,
      streamed: (req) => req.#response,
      chain: (req) => req.#getChain(),
      hasCleanups: (req) => req.#hasCleanups(),
      errorResponseHeaders: (req) => req.#errorResponseHeaders(),
    };
  }

  // The identity shared along internal redirects: the owner token for session locks.
  #getChain(): RequestChain {
    if (this.#chain !== undefined) return this.#chain;
    const prev = this.prev;
    return this.#chain = prev !== undefined ? prev.#getChain() : new RequestChain(() => this.id, {
      onCleanupError: this.#options.onCleanupError &&
        ((error) => this.#options.onCleanupError!(error, this.id)),
      cleanupTimeout: this.#options.cleanupTimeout,
    });
  }

  // Whether cleanups are waiting on this request's chain (a server can then skip an await).
  #hasCleanups(): boolean {
    if (this.#chain !== undefined) return this.#chain.hasCleanups;
    const prev = this.prev;
    return prev !== undefined && prev.#hasCleanups();
  }

  /** Request-scoped state for the application; `req.prev.data` after an internal redirect. */
  get data(): Record<string, unknown> {
    return this.#data ??= Object.create(null);
  }

  /** Response headers, sent with the first body write or with the returned body. */
  get responseHeaders(): ResponseHeaders {
    return this.#responseHeaders ??= new ResponseHeaders(this.#sentCheck());
  }

  /** Response headers that are also sent on error responses (mod_python's `err_headers_out`). */
  get errorHeaders(): ResponseHeaders {
    return this.#errorHeaders ??= new ResponseHeaders(this.#sentCheck());
  }

  #sentCheck(): () => boolean {
    return this.#isSent ??= () => this.#writer !== undefined;
  }

  /** The request id (random unless given), for logs and error pages. */
  get id(): string {
    return this.#id ??= crypto.randomUUID();
  }

  /** The parsed request URL (parsed on first use). */
  get url(): URL {
    return this.#url ??= new URL(this.href);
  }

  /** The request URL as a string: `request.url`, read once (each read of it costs a getter). */
  get href(): string {
    return this.#href ??= this.request.url;
  }

  /** The client's address, when the server knows it (read on first use). */
  get remoteAddr(): string | undefined {
    return this.#remoteAddr ?? this.prev?.remoteAddr;
  }

  /** The URL path, still percent-encoded. */
  get path(): string {
    return this.#path ?? this.#readPath();
  }

  /**
   * The request target in origin form, as the URL holds it: the path and the query, still
   * percent-encoded (`/notes?page=2`). What the access log shows.
   *
   * @example
   * ```ts
   * import { Req } from "@pubkit/request";
   * import assert from "node:assert/strict";
   *
   * const req = new Req(new Request("http://localhost/notes?page=2"));
   * assert.equal(req.path, "/notes");
   * assert.equal(req.target, "/notes?page=2");
   * ```
   */
  get target(): string {
    const path = this.path;
    return this.#search ? path + this.#search : path;
  }

  #readPath(): string {
    // Read from the URL string in one pass: most requests need only their path and query, and a
    // full URL parse costs more than a published hello function. `Request.url` is serialized, so
    // this is exactly `URL.pathname` and `URL.search` (a property test checks it). The path is
    // scanned by character codes: it is short, and each call of a string builtin costs more.
    const url = this.href;
    const start = pathStart(url);
    let end = start;
    while (end < url.length) {
      const c = url.charCodeAt(end);
      if (c === 63 || c === 35) break; // ? or #
      end++;
    }
    this.#search = searchAt(url, end);
    return this.#path = end === start ? "/" : url.slice(start, end);
  }

  /** The incoming request headers. */
  get headers(): Headers {
    return this.request.headers;
  }

  /** Aborted when the client goes away. */
  get signal(): AbortSignal {
    return this.request.signal;
  }

  /**
   * The query string, parsed once.
   *
   * @throws {HttpError} 400 for malformed percent-encoding, 413 past the field limits.
   */
  get query(): Fields {
    if (this.#search === undefined) this.#readPath();
    return this.#query ??= parseQuery(this.#search!, this.formLimits);
  }

  /** The request cookies by name, with no prototype. */
  get cookies(): Record<string, string> {
    return this.#cookies ??= parseCookies(this.request.headers.get("cookie"));
  }

  /**
   * Parses query + body (urlencoded or multipart) once; later calls return the same fields.
   *
   * @returns The fields.
   * @throws {HttpError} 400 for a malformed body, 413 past a limit, 415 for a charset other than
   * UTF-8, 503 past the application's body budget.
   */
  form(): Promise<Fields> {
    if (this.#form) return this.#form;
    if (this.request.body === null) {
      // No body: the form is the query, without parseForm's per-request setup.
      try {
        return this.#form = Promise.resolve(this.query);
      } catch (error) {
        return this.#form = Promise.reject(error);
      }
    }
    const spool = this.#options.spool;
    return this.#form ??= parseForm(this.request, {
      limits: this.formLimits,
      signal: this.#options.signal,
      budget: requestBudget(this.#options.bodyBudget, this),
      spool: spool && {
        ...spool,
        onFile: (path) => this.registerCleanup(() => Deno.remove(path).catch(() => {})),
      },
    });
  }

  /** Whether the response head was sent by a body write. */
  get headersSent(): boolean {
    return this.#writer !== undefined;
  }

  /** The response status; 200 unless set. */
  get status(): number {
    return this.#status;
  }

  /**
   * Sets the response status.
   *
   * @throws {HeadersSentError} After the first write.
   * @throws {RangeError} For a status outside 200–599.
   */
  set status(status: number) {
    if (this.#writer) throw new HeadersSentError(`set status ${status}`);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Cannot set status ${status}: it is not an integer in 200-599`);
    }
    this.#status = status;
  }

  /** The explicit response content type, if one was set. */
  get contentType(): string | undefined {
    return this.#contentType;
  }

  /**
   * Sets the response content type; an explicit type always wins over the default.
   *
   * @throws {HeadersSentError} After the first write.
   * @throws {TypeError} When the value holds CR, LF, NUL or another unsafe character.
   */
  set contentType(type: string | undefined) {
    if (this.#writer) throw new HeadersSentError(`set content type ${type}`);
    this.#contentType = type === undefined ? undefined : checkHeader("Content-Type", type);
  }

  /**
   * Adds a `Set-Cookie` header: HttpOnly, SameSite=Lax, Path=/ and, on https, Secure unless
   * told otherwise.
   *
   * @param name The cookie name.
   * @param value The cookie value (percent-encoded on the wire).
   * @param options Cookie attributes.
   * @throws {HeadersSentError} After the first write.
   * @throws {TypeError} For an invalid name or attribute.
   */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    if (this.#writer) throw new HeadersSentError(`set cookie ${name}`);
    const secure = options.secure ?? this.url.protocol === "https:";
    this.responseHeaders.append("set-cookie", serializeCookie(name, value, { ...options, secure }));
  }

  /**
   * Tells the client to delete a cookie.
   *
   * @param name The cookie name.
   * @param options The path and domain the cookie was set with.
   * @throws {HeadersSentError} After the first write.
   */
  deleteCookie(name: string, options: Pick<CookieOptions, "path" | "domain"> = {}): void {
    this.setCookie(name, "", { ...options, maxAge: 0, expires: new Date(0) });
  }

  /**
   * Writes a body chunk. The first write commits status and headers and starts a streamed
   * response; it resolves once the chunk is queued, so a slow client slows the writer down.
   * On a request that was internally redirected (`req.prev` in the target), the write goes to
   * the target's response, the one the client gets.
   *
   * @param chunk Text (UTF-8 encoded) or bytes.
   * @returns When the chunk has been accepted.
   * @throws {TypeError} When the client has gone away or the body was ended.
   */
  async write(chunk: string | Uint8Array): Promise<void> {
    // After an internal redirect the target owns the one response stream (mod_python's
    // `req.prev.write()` wrote to the same connection): write to it, never to a lost stream.
    if (this.#next && !this.#writer) return this.#next.write(chunk);
    const writer = this.#commit();
    try {
      await writer.write(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
    } catch (cause) {
      if (cause instanceof TypeError) throw cause;
      // Deno cancels the body with a bare string ("resource closed") when the client leaves.
      throw new TypeError("Cannot write to the response: the client went away", { cause });
    }
  }

  /**
   * Sends status and headers now, before any body.
   *
   * @returns When the head is committed.
   */
  async flush(): Promise<void> {
    if (this.#next && !this.#writer) return this.#next.flush();
    await this.#commit().ready;
  }

  #commit(): WritableStreamDefaultWriter<Uint8Array> {
    if (this.#writer) return this.#writer;
    if (NULL_BODY_STATUSES.includes(this.#status)) {
      throw new TypeError(`Cannot write a body: status ${this.#status} has none`);
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    this.#writer = writable.getWriter();
    this.#writer.closed.catch(() => {}); // a client that left is reported by write()
    this.#response = this.#built = new Response(readable, {
      status: this.#status,
      headers: this.#head(TEXT_PLAIN),
    });
    this.#onCommit?.(this.#response);
    return this.#writer;
  }

  /**
   * The response headers with the content type, plus the error headers.
   *
   * @param contentType The content type to send when none was set explicitly, or `null`.
   * @param contentLength The body's length in bytes, to send when none was set explicitly.
   * @returns A plain record when no header was set (most responses: cheaper than `Headers`),
   * otherwise a fresh `Headers`.
   */
  #head(contentType: string | null, contentLength?: number, withDefaults = true): HeadersInit {
    const type = this.#contentType ?? contentType;
    const defaults = withDefaults ? this.defaultHeaders : undefined;
    if (!this.#responseHeaders?.touched && !this.#errorHeaders?.touched) {
      const record: Record<string, string> = defaults === undefined ? {} : { ...defaults };
      if (type !== null) record["content-type"] = type;
      if (contentLength !== undefined) record["content-length"] = String(contentLength);
      return record;
    }
    const headers = this.#responseHeaders?.touched
      ? new Headers(this.#responseHeaders)
      : new Headers();
    if (this.#errorHeaders?.touched) {
      for (const [name, value] of this.#errorHeaders) {
        if (name === "set-cookie") headers.append(name, value);
        else headers.set(name, value);
      }
    }
    if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
    if (contentLength !== undefined && !headers.has("content-length")) {
      headers.set("content-length", String(contentLength));
    }
    if (defaults !== undefined) addMissing(headers, defaults);
    return headers;
  }

  // Builds the response for a complete body, or ends the streamed one (for `respond`; handlers
  // return values instead). At once for a complete body; once written for a streamed one.
  #end(body: BodyInit | null, defaultType: string | null): Response | Promise<Response> {
    if (this.#writer) return this.#endStream(this.#writer, body);
    if (
      this.#status === 200 && typeof body === "string" && this.method !== "HEAD" &&
      (this.#contentType ?? defaultType) === TEXT_PLAIN &&
      !this.#responseHeaders?.touched && !this.#errorHeaders?.touched &&
      this.defaultHeaders === undefined
    ) {
      return this.#built = new Response(body); // Deno gives it this very type, on its fastest path
    }
    let status = body === null && this.#status === 200 ? 204 : this.#status;
    if (status === 200 && this.#isCurrent()) {
      status = 304;
      if (body instanceof ReadableStream) body.cancel().catch(() => {});
      body = null;
    }
    if (body !== null && NULL_BODY_STATUSES.includes(status)) {
      // The Fetch API refuses a body here (a 500 for `req.status = 204; return ""`): drop it.
      if (body instanceof ReadableStream) body.cancel().catch(() => {});
      body = null;
    }
    // A HEAD answer says how long GET's body would be: its body is dropped before it is sent,
    // and Deno would then announce `content-length: 0` (RFC 9110 §8.6 forbids a wrong length).
    const length = this.method === "HEAD" && body !== null ? byteLength(body) : undefined;
    const defaults = this.defaultHeaders;
    if (
      defaults !== undefined && !this.#responseHeaders?.touched && !this.#errorHeaders?.touched
    ) {
      // The defaults are set on the built response: a Response made with more headers than its
      // type has Deno build a native response up front, which costs more than setting them here
      // (the response then goes out by Deno's ordinary path).
      const response = new Response(body, {
        status,
        headers: this.#head(body === null ? null : defaultType, length, false),
      });
      const headers = response.headers;
      for (const name in defaults) headers.set(name, defaults[name]!);
      return this.#built = response;
    }
    const headers = this.#head(body === null ? null : defaultType, length);
    return this.#built = new Response(body, { status, headers });
  }

  /** A `GET`/`HEAD` whose response has validators the request's preconditions match. */
  #isCurrent(): boolean {
    if (this.method !== "GET" && this.method !== "HEAD") return false;
    const headers = this.#responseHeaders;
    if (!headers?.touched) return false;
    const etag = headers.get("etag");
    const lastModified = headers.get("last-modified");
    return (etag !== null || lastModified !== null) &&
      notModified(this.request.headers, { etag, lastModified });
  }

  async #endStream(
    writer: WritableStreamDefaultWriter<Uint8Array>,
    body: BodyInit | null,
  ): Promise<Response> {
    if (body !== null) {
      for await (const chunk of new Response(body).body!) await writer.write(chunk);
    }
    await writer.close();
    return this.#response!;
  }

  // Calls `listener` with the streamed response when the first write commits the head (at once
  // if it already did): respond() answers before the handler returns.
  #listen(listener: (response: Response) => void): void {
    if (this.#response) return listener(this.#response);
    const previous = this.#onCommit;
    // respond() may be nested (a server around a publisher): every level hears the commit.
    this.#onCommit = previous ? (response) => (previous(response), listener(response)) : listener;
  }

  // Headers for an error response built for this request: the error headers and the default
  // headers only, since the ordinary response headers belong to the page that failed.
  #errorResponseHeaders(): Headers {
    this.#built = undefined; // the page that failed is not the answer
    const headers = new Headers(this.#errorHeaders);
    if (this.defaultHeaders !== undefined) addMissing(headers, this.defaultHeaders);
    return headers;
  }

  /**
   * Registers a cleanup that runs, last in first out, after the whole response (including any
   * internal redirect) is finished or the client went away. A failing cleanup is logged.
   *
   * @param cleanup The callback.
   * @throws {TypeError} When `cleanup` is not a function.
   */
  registerCleanup(cleanup: Cleanup): void {
    this.#getChain().registerCleanup(cleanup);
  }

  /**
   * A redirect response with `Location` (percent-encoded where needed) and a short plain-text
   * body for clients that show it (mod_python's `util.redirect(req, location, text)`), to
   * return. The target must stay on this request's origin (a path, or an absolute URL with the
   * same origin) unless `external` is set or its origin is in `origins`; `javascript:`, `data:`
   * and `vbscript:` are never sent. A refused target is a 400 naming it: it usually came from
   * the client (`?next=`).
   *
   * @param location Where to send the client.
   * @param options The status (301, 302, 303, 307 or 308; 302 by default), or
   * {@linkcode RedirectOptions}.
   * @returns The redirect response.
   * @throws {HttpError} 400 for a target that is off-site (unless allowed), not a URL, or a
   * `javascript:`, `data:` or `vbscript:` URL.
   * @throws {RangeError} For another status.
   * @throws {HeadersSentError} After the first write.
   */
  redirect(location: string, options: number | RedirectOptions = 302): Response {
    const {
      status = 302,
      external = false,
      origins,
      text = `Redirecting to ${location}\n`,
    } = typeof options === "number" ? { status: options } : options;
    if (![301, 302, 303, 307, 308].includes(status)) {
      throw new RangeError(`Cannot redirect with status ${status}: use 301, 302, 303, 307 or 308`);
    }
    if (this.#writer) throw new HeadersSentError(`redirect to ${location}`);
    // Both the target as given and as sent: `Location` percent-encodes a backslash, which URL
    // parsing reads as `/` in the given form (`//site\@evil/` looks like a path there, while the
    // browser reads the sent `//site%5C@evil/` as user `site%5C` on host `evil`).
    const sent = checkHeader("location", location);
    checkRedirect(location, location, this.url, external, origins);
    checkRedirect(sent, location, this.url, external, origins);
    const headers = new Headers(this.#head(TEXT_PLAIN));
    headers.set("location", sent);
    return this.#built = new Response(text, { status, headers });
  }

  /**
   * Reads the body by bytes or lines (mod_python's `req.read()`, `readline()`, `readlines()`,
   * `discard_request_body()`); the same reader on every call. Do not mix it with
   * {@linkcode Req.form}: the body is read once. The bytes it buffers count against the
   * application's body budget (503 past it), as a form's do.
   *
   * @returns The reader.
   */
  reader(): BodyReader {
    return this.#reader ??= new BodyReader(this.request.body, {
      budget: requestBudget(this.#options.bodyBudget, this),
    });
  }

  /**
   * Sends a file, or part of it, answering `Range` and preconditions: see {@linkcode sendFile}.
   *
   * @param path The file (the application's, never request input).
   * @param options `offset` and `length` of the part to send.
   * @returns The response to return from the handler.
   */
  sendFile(path: string | URL, options?: SendFileOptions): Promise<Response> {
    return sendFile(this, path, options);
  }

  /** The latest modification time given to {@linkcode Req.updateMtime}, if any. */
  get mtime(): Date | undefined {
    return this.#mtime;
  }

  /**
   * Records that the response depends on something modified at `time`; the latest time wins
   * (mod_python's `req.update_mtime()`).
   *
   * @param time The modification time.
   * @throws {TypeError} For an invalid date.
   */
  updateMtime(time: Date | number): void {
    const date = new Date(time);
    if (Number.isNaN(date.getTime())) throw new TypeError(`Cannot update mtime to ${time}`);
    if (this.#mtime === undefined || date > this.#mtime) this.#mtime = date;
  }

  /**
   * Sets `Last-Modified` from {@linkcode Req.mtime}. A `GET` or `HEAD` whose
   * `If-Modified-Since` is not older then gets `304 Not Modified`.
   *
   * @throws {TypeError} When no mtime was recorded.
   * @throws {HeadersSentError} After the first write.
   */
  setLastModified(): void {
    if (!this.#mtime) throw new TypeError("Cannot set Last-Modified: call req.updateMtime() first");
    this.responseHeaders.set("last-modified", this.#mtime.toUTCString());
  }

  /**
   * Sets `ETag`: the given tag (quoted if it is not), or a weak one made from
   * {@linkcode Req.mtime}. A `GET` or `HEAD` whose `If-None-Match` matches it (weak comparison)
   * then gets `304 Not Modified`.
   *
   * @param etag The tag, e.g. `W/"v3"`, `"v3"` or `v3`.
   * @throws {TypeError} Without a tag when no mtime was recorded.
   * @throws {HeadersSentError} After the first write.
   */
  setEtag(etag?: string): void {
    if (etag === undefined) {
      if (!this.#mtime) throw new TypeError("Cannot make an ETag: call req.updateMtime() first");
      etag = `W/"${this.#mtime.getTime().toString(36)}"`;
    } else if (!/^(?:W\/)?".*"$/.test(etag)) {
      etag = `"${etag}"`;
    }
    this.responseHeaders.set("etag", etag);
  }

  /**
   * Tells clients and caches not to reuse the response: `Cache-Control: no-store, no-cache`
   * and an `Expires` in the past (mod_python's `req.no_cache = 1`).
   *
   * @throws {HeadersSentError} After the first write.
   */
  noCache(): void {
    this.responseHeaders.set("cache-control", "no-store, no-cache");
    this.responseHeaders.set("expires", new Date(0).toUTCString());
  }

  /**
   * Dispatches `path` through the whole application in process, as a new `Req` whose `prev` is
   * this one and which shares this request's chain (so its session lock is re-entered, not
   * waited for). Method and headers are kept; the body is not (read it with
   * `req.prev.form()`).
   *
   * @param path A path (with optional query) on this server.
   * @returns The response of the target, to return from the handler.
   * @throws {HttpError} 400 when `path` is not a local path; 500 past
   * {@linkcode MAX_REDIRECT_DEPTH} redirects.
   * @throws {TypeError} When no dispatcher was given.
   */
  internalRedirect(path: string): Promise<Response> {
    const dispatch = this.#options.dispatch;
    if (!dispatch) throw new TypeError("Cannot redirect internally: no dispatcher was given");
    const url = localUrl(path, this.url);
    if (!url) {
      throw new HttpError(400, `Cannot redirect internally to ${path}: it is not a local path`);
    }
    if (this.depth >= MAX_REDIRECT_DEPTH) {
      throw new HttpError(
        500,
        `Cannot redirect internally to ${path}: ${MAX_REDIRECT_DEPTH} redirects in a row (a loop?)`,
      );
    }
    const headers = new Headers(this.request.headers);
    headers.delete("content-length");
    headers.delete("content-type");
    const request = new Request(url, {
      method: this.method,
      headers,
      signal: this.request.signal,
    });
    return dispatch(request, this);
  }
}

/**
 * Builds the response for a complete body, or ends the streamed one: what {@linkcode respond}
 * does with a handler's value (handlers return values instead of calling it).
 *
 * @param req The request.
 * @param body The body; `null` for none.
 * @param defaultType The content type when none was set.
 * @returns The response, at once for a complete body; once written for a streamed one.
 */
export function endResponse(
  req: Req,
  body: BodyInit | null,
  defaultType: string | null,
): Response | Promise<Response> {
  return plumbing.end(req, body, defaultType);
}

/**
 * Ends a streamed response with an error: the client sees the connection fail rather than a
 * silently truncated body.
 *
 * @param req The request.
 * @param reason The error.
 */
export function abortResponse(req: Req, reason: unknown): void {
  plumbing.abort(req, reason);
}

/**
 * Calls `listener` with the streamed response when the first write commits the head (at once
 * if it already did).
 *
 * @param req The request.
 * @param listener Receives the response.
 */
export function onCommit(req: Req, listener: (response: Response) => void): void {
  plumbing.onCommit(req, listener);
}

/**
 * The last response `req` built (from a returned value, a redirect or the first write), until
 * an error response replaces it: a server can tell it from one a handler made itself.
 *
 * @param req The request.
 * @returns The response, or `undefined`.
 */
export function builtResponse(req: Req): Response | undefined {
  return plumbing.built(req);
}

/**
 * The streamed response, once the first write committed the head.
 *
 * @param req The request.
 * @returns The response, or `undefined` before the first write.
 */
export function streamedResponse(req: Req): Response | undefined {
  return plumbing.streamed(req);
}

/**
 * The identity shared along internal redirects: the owner token for session locks, and the
 * cleanups of the whole chain.
 *
 * @param req The request.
 * @returns The chain.
 */
export function requestChain(req: Req): RequestChain {
  return plumbing.chain(req);
}

/**
 * Whether cleanups are waiting on `req`'s chain (a server can then skip an await).
 *
 * @param req The request.
 * @returns `true` when a cleanup is registered.
 */
export function hasCleanups(req: Req): boolean {
  return plumbing.hasCleanups(req);
}

/**
 * Headers for an error response built for `req`: its error headers and default headers only,
 * since the ordinary response headers belong to the page that failed. The page that failed is
 * no longer `req`'s built response.
 *
 * @param req The request.
 * @returns A fresh `Headers`.
 */
export function errorResponseHeaders(req: Req): Headers {
  return plumbing.errorResponseHeaders(req);
}

// Schemes that run code or carry a document of the attacker's making: never a redirect target.
const SCRIPT_SCHEMES = ["javascript:", "data:", "vbscript:"];

/**
 * Throws a 400 unless `location` may be sent: parsed as a browser would (tabs and newlines
 * dropped, `\` read as `/`, userinfo split off), it must not use a script scheme and must stay
 * on `base`'s origin unless `external` or its origin is listed.
 */
function checkRedirect(
  target: string,
  location: string,
  base: URL,
  external: boolean,
  origins: readonly string[] | undefined,
): void {
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    throw new HttpError(400, `Cannot redirect to ${JSON.stringify(location)}: it is not a URL`);
  }
  if (SCRIPT_SCHEMES.includes(url.protocol)) {
    throw new HttpError(
      400,
      `Cannot redirect to ${JSON.stringify(location)}: ${url.protocol} URLs are never sent`,
    );
  }
  if (external || (origins !== undefined && origins.includes(url.origin))) return;
  if (
    url.origin === base.origin && url.origin !== "null" && url.username === "" &&
    onSiteUnderOtherScheme(target, base)
  ) {
    return;
  }
  throw new HttpError(
    400,
    `Cannot redirect to ${JSON.stringify(location)}: it leaves this site ` +
      "(a redirect target must be a path on this site)",
  );
}

/**
 * Whether `location` stays on `base`'s host when the page's scheme is the other one of http and
 * https: behind a TLS-terminating proxy the browser is on https while the app sees http, and
 * `http:evil.example/` is a path on an http page but another host on an https one.
 */
function onSiteUnderOtherScheme(location: string, base: URL): boolean {
  if (base.protocol !== "http:" && base.protocol !== "https:") return true;
  const other = new URL(base);
  other.protocol = base.protocol === "http:" ? "https:" : "http:";
  try {
    return new URL(location, other).host === other.host;
  } catch {
    return false;
  }
}

/** `path` resolved against `base` if it stays on `base`'s origin. */
function localUrl(path: string, base: URL): URL | undefined {
  if (!path.startsWith("/") || path.startsWith("//")) return undefined;
  // The origin check catches what the prefix check cannot: URL parsing reads `/\host` and
  // `/<tab>/host` as `//host`.
  try {
    const url = new URL(path, base);
    return url.origin === base.origin ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where the path of a serialized `http:` or `https:` URL (what a server sees; other special
 * schemes too) starts: at the first `/` after the authority; the URL's length when it has none.
 */
function pathStart(url: string): number {
  // The scheme's `:` is read at 4 or 5 (`http`, `https`, `file`), searched only otherwise: a
  // string builtin call costs more than the rest of this function (measured in instructions).
  const colon = url.charCodeAt(4) === 58 ? 4 : url.charCodeAt(5) === 58 ? 5 : url.indexOf(":");
  const authority = url.charCodeAt(colon + 1) === 47 && url.charCodeAt(colon + 2) === 47; // `//`
  const slash = url.indexOf("/", authority ? colon + 3 : colon + 1);
  return slash < 0 ? url.length : slash;
}

/** The query that starts at `index` of a serialized URL, with its `?` (`URL.search`), or `""`. */
function searchAt(url: string, index: number): string {
  if (url.charCodeAt(index) !== 63) return ""; // no `?`
  let end = index + 1;
  while (end < url.length && url.charCodeAt(end) !== 35) end++; // up to a `#`
  return end - index > 1 ? url.slice(index, end) : "";
}

/**
 * A standard method as the string constant the code compares it with. Deno hands each request a
 * fresh string, which every `===` with a literal must compare character by character; the
 * constant compares by identity (a published hello request compares its method four times).
 */
function sharedMethod(method: string): string {
  switch (method) {
    case "GET":
      return "GET";
    case "HEAD":
      return "HEAD";
    case "POST":
      return "POST";
    case "PUT":
      return "PUT";
    case "PATCH":
      return "PATCH";
    case "DELETE":
      return "DELETE";
    case "OPTIONS":
      return "OPTIONS";
    default:
      return method;
  }
}

/**
 * Sets each of `defaults` that `headers` does not have.
 *
 * @param headers The headers to complete.
 * @param defaults Values by lower-case name.
 */
function addMissing(headers: Headers, defaults: Readonly<Record<string, string>>): void {
  for (const name in defaults) if (!headers.has(name)) headers.set(name, defaults[name]);
}

/** The length of a complete body in bytes; `undefined` for a stream or a form. */
function byteLength(body: BodyInit): number | undefined {
  if (typeof body === "string") return encoder.encode(body).byteLength;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof Blob) return body.size;
  return undefined;
}

/**
 * This request's view of the application's body budget: what the request still holds when its
 * cleanups run is given back, whatever the body's reader did not give back itself.
 */
function requestBudget(shared: BodyBudget | undefined, req: Req): ByteBudget | undefined {
  if (shared === undefined) return undefined;
  let held = 0;
  req.registerCleanup(() => shared.give(held));
  return {
    take(bytes) {
      shared.take(bytes);
      held += bytes;
    },
    give(bytes) {
      shared.give(bytes);
      held -= bytes;
    },
  };
}
