/**
 * The notes board: a small application built the pubkit way. `main.ts` runs it; tests build it
 * with {@linkcode createNotesApp} on a temporary data folder.
 */
import { type App, createApp } from "@pubkit/server";
import type { Sink } from "@pubkit/server";
import { Pool } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";
import { SqliteFactory } from "@pubkit/pool/sqlite";
import { FileStore, SessionManager, type SessionStore } from "@pubkit/session";
import { RedisStore } from "@pubkit/session/redis";
import { Redis } from "ioredis";
import { LoginThrottle, type ThrottleStore } from "./lib/login_throttle.ts";
import { PostgresNotesStore, SqliteNotesStore } from "./lib/notes_store.ts";
import { passwordDesks } from "./lib/password_desks.ts";

/** Where the app keeps things; all optional except the data folder. */
export interface NotesAppOptions {
  /** Folder for the SQLite file, the session files and the session secret. */
  dataDir: string;
  /** Keep sessions in Redis instead of files. */
  redisUrl?: string;
  /** Keep notes in PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /**
   * Prefix of the app's keys in Redis and of its log-in counters in PostgreSQL;
   * `pubkit:example:` by default.
   */
  keyPrefix?: string;
  /** Most password hashes at once (log-ins and sign-ups); the number of cores by default. */
  passwordHashes?: number;
  /** Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed. */
  trustProxy?: readonly string[];
  /** Reload changed pages without a restart. */
  dev?: boolean;
  /**
   * Where the access log, errors and the shutdown report go (a LogTape sink); by default the
   * app's buffered text log on stdout.
   */
  log?: Sink;
}

const here = (path: string) => new URL(path, import.meta.url);

/**
 * The board's Content-Security-Policy: its pages load only its own stylesheet and icon, run no
 * script at all, and post forms only to itself (the browser test checks that no page breaks it).
 */
export const NOTES_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "base-uri 'none'",
].join("; ");

/**
 * Reads the session secret from the data folder, creating it on first start, so sessions
 * survive restarts without a secret in the source.
 */
async function sessionSecret(dataDir: string): Promise<string> {
  const file = `${dataDir}/session-secret`;
  try {
    await Deno.chmod(file, 0o600);
    return (await Deno.readTextFile(file)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    const secret = crypto.randomUUID() + crypto.randomUUID();
    await Deno.writeTextFile(file, secret, { mode: 0o600, createNew: true }).catch((e) => {
      // Another worker created it first (deno serve --parallel): use theirs.
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    });
    return (await Deno.readTextFile(file)).trim();
  }
}

/**
 * Builds the notes board: published pages in `pages/`, templates in `templates/`, static files
 * in `static/`, notes in SQLite through a pool (or PostgreSQL), sessions in files (or Redis).
 */
export async function createNotesApp(options: NotesAppOptions): Promise<App> {
  const { dataDir, redisUrl, databaseUrl, trustProxy, dev = false, log } = options;
  const { keyPrefix = "pubkit:example:", passwordHashes = navigator.hardwareConcurrency } = options;
  await privateFolder(dataDir);
  await privateFolder(`${dataDir}/sessions`);
  const store: SessionStore = redisUrl
    ? new RedisStore({ url: redisUrl, prefix: keyPrefix })
    : new FileStore({ dir: `${dataDir}/sessions` });
  const sessions = new SessionManager({ store, secrets: [await sessionSecret(dataDir)] });
  const app = createApp({
    publish: { root: here("./pages/"), dev },
    static: { prefix: "/static/", dir: here("./static/") },
    sessions,
    trustProxy,
    templates: { dev },
    securityHeaders: { "content-security-policy": NOTES_CSP },
    log,
    startup: [
      {
        // Registered first, so it runs last: tells the operator the server cleanups ran.
        name: "shutdown report",
        run: (app) => app.registerCleanup(() => app.log("Stopped: server cleanups ran"), "report"),
      },
      { name: "sessions", run: (app) => app.registerCleanup(() => sessions.close(), "sessions") },
      {
        name: "notes database",
        run: async (app) => {
          if (databaseUrl) {
            const pool = new Pool(new PostgresFactory({ connectionString: databaseUrl }), {
              max: 8,
              name: "notes",
            });
            app.addPool("postgres", pool);
            await new PostgresNotesStore(pool).migrate();
          } else {
            await privateDatabase(`${dataDir}/notes.db`);
            const factory = new SqliteFactory({ path: `${dataDir}/notes.db` });
            const pool = new Pool(factory, { max: 4, name: "notes" });
            app.addPool("sqlite", pool);
            await new SqliteNotesStore(pool).migrate();
          }
        },
      },
      {
        // After the database: PostgreSQL keeps the log-in counters when it keeps the notes.
        name: "password desks",
        run: async (app) => {
          const throttle = await LoginThrottle.create({
            store: throttleStore(app, redisUrl),
            prefix: keyPrefix,
          });
          // Expired counters leave PostgreSQL only when deleted: at start, then hourly.
          await throttle.sweep();
          const sweeper = setInterval(() => {
            throttle.sweep().catch((error) => app.log("Cannot sweep the counters", { error }));
          }, 3_600_000);
          Deno.unrefTimer(sweeper);
          app.registerCleanup(() => clearInterval(sweeper), "throttle sweeper");
          app.addPool("passwords", await passwordDesks(throttle, passwordHashes));
        },
      },
    ],
  });
  return app;
}

/**
 * Where the log-in counters live: Redis when the app has it, else PostgreSQL when it keeps
 * the notes there, else memory (one process: see the README on `deno serve --parallel`).
 */
function throttleStore(app: App, redisUrl: string | undefined): ThrottleStore {
  if (redisUrl) {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    app.registerCleanup(() => client.quit().catch(() => client.disconnect()), "throttle redis");
    return { kind: "redis", client };
  }
  const postgres = app.pools.postgres as Pool<PostgresClient> | undefined;
  return postgres ? { kind: "postgres", pool: postgres } : { kind: "memory" };
}

/** Creates a folder only its owner may enter (0700), or makes an existing one so. */
async function privateFolder(path: string): Promise<void> {
  await Deno.mkdir(path, { recursive: true, mode: 0o700 });
  await Deno.chmod(path, 0o700);
}

/**
 * Creates the SQLite file 0600 before SQLite opens it: SQLite gives its `-wal` and `-shm`
 * files the database file's mode, and would create the file itself 0644.
 */
async function privateDatabase(path: string): Promise<void> {
  (await Deno.open(path, { create: true, write: true, mode: 0o600 })).close();
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    await Deno.chmod(file, 0o600).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
}
