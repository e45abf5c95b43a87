// A tiny pubkit app for the parallel races: `/start` opens a session at n = 0, `/inc` reads n,
// waits a few ms (so unlocked updates would be lost), writes n + 1; `/read` returns n.
// `?lock=0` opens the session unlocked (read-only): `/inc` then answers 409.
// Sessions in files (COUNTER_DIR), in Redis (COUNTER_REDIS_URL, COUNTER_PREFIX), in a Redis
// Cluster (COUNTER_REDIS_CLUSTER: comma-separated node URLs), in PostgreSQL (COUNTER_DATABASE_URL,
// COUNTER_TABLE) or, for one process, in memory (COUNTER_MEMORY=1). `/start?tag=x` keeps x in the
// session; `/inc` answers it back, so a test sees whether a request was given another session's
// data.
// The entry of `deno serve --parallel`; `_counter_main.ts` runs it as a process on PORT.
import { Pool } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";
import { createApp } from "@pubkit/server";
import { FileStore, MemoryStore, SessionManager, type SessionStore } from "@pubkit/session";
import { PostgresStore } from "@pubkit/session/postgres";
import { RedisStore } from "@pubkit/session/redis";

/** The cookie secret shared by every process of a race. */
export const SECRET = "the parallel race secret, thirty-two+ characters";

const env = (name: string) => Deno.env.get(name) || undefined;
const redisUrl = env("COUNTER_REDIS_URL");
const dir = env("COUNTER_DIR");
const databaseUrl = env("COUNTER_DATABASE_URL");
const memory = env("COUNTER_MEMORY") === "1";
const cluster = env("COUNTER_REDIS_CLUSTER")?.split(",");
if (!redisUrl && !cluster && !databaseUrl && !dir && !memory) {
  throw new Error(
    "Cannot start: set COUNTER_DIR, COUNTER_REDIS_URL, COUNTER_REDIS_CLUSTER, COUNTER_DATABASE_URL " +
      "or COUNTER_MEMORY=1",
  );
}
// Tells the test which worker or process answered; fixed for the isolate's life.
const worker = crypto.randomUUID().slice(0, 8);

const pool = databaseUrl
  ? new Pool<PostgresClient>(new PostgresFactory({ connectionString: databaseUrl }), { max: 4 })
  : undefined;
const prefix = env("COUNTER_PREFIX") ?? "pubkit:race:";
const store: SessionStore = cluster
  ? new RedisStore({ cluster, prefix })
  : redisUrl
  ? new RedisStore({ url: redisUrl, prefix })
  : pool
  ? new PostgresStore({
    db: { query: (text, values) => pool.use((client) => client.query(text, values)) },
    table: env("COUNTER_TABLE") ?? "pubkit_race",
  })
  : dir
  ? new FileStore({ dir })
  : new MemoryStore();
const sessions = new SessionManager({ store, secrets: [SECRET], lockTimeout: 30_000 });

const app = createApp({
  sessions,
  accessLog: false,
  startup: [{
    name: "sessions",
    run: (app) =>
      app.registerCleanup(async () => {
        await sessions.close();
        await pool?.close();
      }),
  }],
  handler: async (req) => {
    const lock = req.query.get("lock") !== "0";
    switch (req.path) {
      case "/worker":
        return new Response(worker);
      case "/start": {
        const session = await req.openSession();
        session.set("n", 0);
        session.set("tag", req.query.get("tag"));
        return Response.json({ n: 0, worker });
      }
      case "/inc": {
        const session = await req.openSession({ lock });
        const n = session.get("n") as number;
        await new Promise((resolve) => setTimeout(resolve, 3));
        try {
          session.set("n", n + 1);
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
          return Response.json({ error: error.message, worker }, { status: 409 });
        }
        return Response.json({ n: n + 1, worker, tag: session.get("tag") });
      }
      case "/read": {
        // A locked change is saved before its response is sent: an unlocked read that starts
        // after that response sees it.
        const session = await req.openSession({ lock });
        return Response.json({ n: session.get("n") ?? null, worker });
      }
      default:
        return new Response("Not Found\n", { status: 404 });
    }
  },
});

export default app;
