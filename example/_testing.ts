// Test helpers for the example's tests: a cookie-keeping client over `app.fetch` (or real HTTP)
// and a notes app on a temporary data folder that is always closed and removed.
import { type App, formatLogRecord } from "@pubkit/server";
import { FileStore, type SessionRecord } from "@pubkit/session";
import { createNotesApp, type NotesAppOptions } from "./app.ts";

/** What a test reads from a response; the body is always consumed. */
export interface Page {
  status: number;
  headers: Headers;
  text: string;
  /** The `Location` header's path and query, for redirects. */
  location: string | undefined;
}

/** Options for one request. */
export interface RequestInit {
  method?: string;
  /** Sent as `application/x-www-form-urlencoded` (POST by default). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** A client that keeps cookies like a browser does (name → value, deleted on Max-Age=0). */
export class Client {
  #cookies = new Map<string, string>();
  #fetch: (request: Request) => Response | Promise<Response>;
  #origin: string;

  constructor(
    fetch: (request: Request) => Response | Promise<Response>,
    origin = "http://localhost",
  ) {
    this.#fetch = fetch;
    this.#origin = origin;
  }

  /** The `sid` cookie value, or `undefined`. */
  get sid(): string | undefined {
    return this.#cookies.get("sid");
  }

  /** Sets or (with `undefined`) drops a cookie by hand, e.g. to replay an old one. */
  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }

  /** Sends one request (never following redirects) and reads the whole answer. */
  async request(path: string, init: RequestInit = {}): Promise<Page> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) {
      headers.set("cookie", [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    let body: string | undefined;
    if (init.form) {
      headers.set("content-type", "application/x-www-form-urlencoded");
      body = new URLSearchParams(init.form).toString();
    }
    const method = init.method ?? (init.form ? "POST" : "GET");
    const response = await this.#fetch(
      new Request(new URL(path, this.#origin), { method, headers, body, redirect: "manual" }),
    );
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) ||
        attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split("=")[1]) < Date.now());
      if (gone) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
    const location = response.headers.get("location") ?? undefined;
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: location === undefined ? undefined : pathOf(location, this.#origin),
    };
  }

  /** Opens a page and returns the CSRF token of its forms. */
  async csrf(path = "/account/login"): Promise<string> {
    const page = await this.request(path);
    const token = page.text.match(/name="csrf" value="([^"]+)"/)?.[1];
    if (!token) throw new Error(`Cannot find a CSRF token on ${path} (${page.status})`);
    return token;
  }

  /** Posts a form with this session's CSRF token (fetched from `from` first). */
  async post(path: string, form: Record<string, string>, from = "/account/login"): Promise<Page> {
    return this.request(path, { form: { csrf: await this.csrf(from), ...form } });
  }

  /** Signs up (which logs in); throws unless it redirects to the board. */
  async signUp(name: string, password = "correct horse"): Promise<void> {
    const page = await this.post("/account/signup", { name, password }, "/account/signup");
    if (page.status !== 303 || page.location !== "/notes") {
      throw new Error(`Cannot sign up ${name}: ${page.status} ${page.text}`);
    }
  }

  /** Posts a note; throws unless it redirects to the board. */
  async addNote(title: string, text = `About ${title}`): Promise<void> {
    const page = await this.post("/notes/add", { title, text }, "/notes");
    if (page.status !== 303) throw new Error(`Cannot add ${title}: ${page.status} ${page.text}`);
  }
}

function pathOf(location: string, origin: string): string {
  const url = new URL(location, origin);
  return url.pathname + url.search;
}

/** The note titles on a rendered board page, in page order. */
export function titles(html: string): string[] {
  return [...html.matchAll(/<li class="note">\s*<h2>([^<]*)<\/h2>/g)].map((m) => m[1]);
}

/** An app served over real HTTP on 127.0.0.1 (a free port) until disposed. */
export interface Served extends AsyncDisposable {
  origin: string;
  /** What the server printed so far (its access log), for a process. */
  readonly logs: string[];
  /**
   * A client over its own connections, from `localAddress` when given: another loopback
   * address (`127.0.0.2`) is another client address to the app.
   */
  client(localAddress?: string): Client;
}

/** A client of `origin` over its own connections, from `localAddress` when given. */
function httpClient(origin: string, connections: Deno.HttpClient[], localAddress?: string): Client {
  const http = Deno.createHttpClient(localAddress ? { localAddress } : {});
  connections.push(http);
  return new Client((request) => fetch(request, { client: http }), origin);
}

/**
 * Runs `main.ts` in its own process, as `deno task serve` does (a fresh data folder, no Redis
 * or PostgreSQL), so that a test measures the server and not its own load; disposing stops it
 * with SIGTERM and removes the folder.
 */
export async function servedProcess(): Promise<Served> {
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-example-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--unstable-no-legacy-abort",
      new URL("./main.ts", import.meta.url).pathname,
    ],
    env: { PORT: "0", DATA_DIR: dataDir, REDIS_URL: "", DATABASE_URL: "" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let origin: string | undefined;
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    while (origin === undefined) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`Cannot start the app: it printed no URL:\n${seen}`);
      seen += value;
      origin = seen.match(/Listening on (http:\/\/[^/\s]+)/)?.[1];
    }
  } catch (error) {
    try {
      child.kill("SIGKILL");
    } catch { /* it has exited already */ }
    await child.status;
    await Deno.remove(dataDir, { recursive: true });
    throw error;
  } finally {
    clearTimeout(timer);
  }
  // Keep reading, or the access log fills the pipe and the server blocks on it.
  const drained = (async () => {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      seen += read.value;
    }
  })();
  const connections: Deno.HttpClient[] = [];
  return {
    origin,
    get logs() {
      return seen.split("\n").filter((line) => line !== "");
    },
    client: (localAddress) => httpClient(origin, connections, localAddress),
    async [Symbol.asyncDispose]() {
      for (const http of connections) http.close();
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** Serves `app` until disposed; disposing stops the server and closes the app. */
export async function served(app: App): Promise<Served> {
  const controller = new AbortController();
  const { promise: listening, resolve } = Promise.withResolvers<URL>();
  const finished = app.serve({
    port: 0,
    signal: controller.signal,
    handleSignals: false,
    onListen: resolve,
  });
  const url = await Promise.race([
    listening,
    finished.then(() => Promise.reject(new Error("Cannot serve: the server stopped at once"))),
  ]);
  const connections: Deno.HttpClient[] = [];
  return {
    origin: url.origin,
    logs: [],
    client: (localAddress) => httpClient(url.origin, connections, localAddress),
    async [Symbol.asyncDispose]() {
      controller.abort();
      await finished;
      for (const http of connections) http.close();
    },
  };
}

/** A notes app on a temporary data folder (or `dataDir`), with its log lines collected. */
export interface NotesFixture extends AsyncDisposable {
  app: App;
  dataDir: string;
  logs: string[];
  client(): Client;
  /** The stored session data of a client, read from the FileStore under the session lock. */
  sessionData(client: Client): Promise<SessionRecord["data"] | undefined>;
}

/** Creates the app; `await using` closes it and removes a folder it created. */
export async function notesFixture(
  options: Partial<NotesAppOptions> = {},
): Promise<NotesFixture> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "pubkit-example-" });
  const logs: string[] = [];
  const app = await createNotesApp({
    log: (record) => logs.push(formatLogRecord(record).trimEnd()),
    ...options,
    dataDir,
  });
  const clients: Client[] = [];
  const sessionData = async (client: Client) => {
    const id = client.sid?.split(".")[0];
    if (!id) return undefined;
    await using store = new FileStore({ dir: `${dataDir}/sessions`, sweepInterval: 3_600_000 });
    // Under the session's lock: a request may still be finishing with its session.
    await using _lock = await store.lock(id, {}, { timeout: 10_000 });
    return (await store.load(id))?.data;
  };
  return {
    app,
    dataDir,
    logs,
    client: () => {
      const client = new Client(app.fetch);
      clients.push(client);
      return client;
    },
    sessionData,
    async [Symbol.asyncDispose]() {
      // app.close() does not wait for session saves already under way after the last
      // response (reported to the lead), so wait for each client's session lock first.
      for (const client of clients) await sessionData(client);
      await app.close();
      if (ownDir) await Deno.remove(dataDir, { recursive: true });
    },
  };
}
