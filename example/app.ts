/**
 * The notes board: a small application built the pubkit way. `main.ts` runs it; tests build it
 * with {@linkcode createNotesApp} on a temporary data folder.
 */
import { type App, createApp } from "@pubkit/server";
import { Pool, PostgresFactory, SqliteFactory } from "@pubkit/pool";
import { FileStore, RedisStore, SessionManager, type SessionStore } from "@pubkit/session";
import { PostgresNotesStore, SqliteNotesStore } from "./lib/notes_store.ts";

/** Where the app keeps things; all optional except the data folder. */
export interface NotesAppOptions {
  /** Folder for the SQLite file, the session files and the session secret. */
  dataDir: string;
  /** Keep sessions in Redis instead of files. */
  redisUrl?: string;
  /** Keep notes in PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** Reload changed pages without a restart. */
  dev?: boolean;
  /** Access log, errors and the shutdown report; `console.log` by default. */
  log?: (line: string, error?: unknown) => void;
}

const here = (path: string) => new URL(path, import.meta.url);

/**
 * Reads the session secret from the data folder, creating it on first start, so sessions
 * survive restarts without a secret in the source.
 */
async function sessionSecret(dataDir: string): Promise<string> {
  const file = `${dataDir}/session-secret`;
  try {
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
  const { dataDir, redisUrl, databaseUrl, dev = false, log = console.log } = options;
  await Deno.mkdir(`${dataDir}/sessions`, { recursive: true });
  const store: SessionStore = redisUrl
    ? new RedisStore({ url: redisUrl, prefix: "pubkit:example:" })
    : new FileStore({ dir: `${dataDir}/sessions` });
  const sessions = new SessionManager({ store, secrets: [await sessionSecret(dataDir)] });
  const app = createApp({
    publish: { root: here("./pages/"), dev },
    static: { prefix: "/static/", dir: here("./static/") },
    sessions,
    templates: { dev },
    log,
    startup: [
      {
        // Registered first, so it runs last: tells the operator the server cleanups ran.
        name: "shutdown report",
        run: (app) => app.registerCleanup(() => log("Stopped: server cleanups ran"), "report"),
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
            const factory = new SqliteFactory({ path: `${dataDir}/notes.db` });
            const pool = new Pool(factory, { max: 4, name: "notes" });
            app.addPool("sqlite", pool);
            await new SqliteNotesStore(pool).migrate();
          }
        },
      },
    ],
  });
  return app;
}
