/**
 * The server process that `bench/load_faults.ts` loads and breaks, one per row, on
 * 127.0.0.1:0. It prints `PORT <n>` once listening and `CLEANED <name>` as shutdown cleanups
 * run.
 *
 *   deno run -A bench/load/server.ts example   # the notes board (example/)
 *   deno run -A bench/load/server.ts faults    # small routes for the fault rows
 *
 * The fault app's routes: `/hello`; `/read` (reads the body as text); `/upload` (a form with a
 * 1 MiB multipart limit; answers with the bytes handed to the parser); `/slow` (300 ms);
 * `/counter` (a locked session counter); `/pg` (one query through the pool, when
 * DATABASE_URL is set). Sessions live in Redis when REDIS_URL is set, else in memory.
 */
import { createApp } from "@pubkit/server";
import type { Sink } from "@pubkit/server";
import { HttpError } from "@pubkit/request";
import { parseForm } from "@pubkit/request/body";
import { MemoryStore, SessionManager, type SessionStore } from "@pubkit/session";
import { RedisStore } from "@pubkit/session/redis";
import { Pool } from "@pubkit/pool";
import { type PostgresClient, PostgresFactory } from "@pubkit/pool/postgres";

const mode = Deno.args[0] ?? "faults";
const log: Sink = (record) => {
  // Access lines would drown the table; errors are what a run must show.
  if (record.level !== "error") return;
  const error = record.properties.error;
  console.error(record.message.join(""), error instanceof Error ? error.message : error ?? "");
};

async function exampleApp() {
  const { createNotesApp } = await import("../../example/app.ts");
  const dataDir = await Deno.makeTempDir({ prefix: "pubkit-load-" });
  const app = await createNotesApp({ dataDir, log });
  app.registerCleanup(() => Deno.remove(dataDir, { recursive: true }), "data dir");
  return app;
}

function faultApp() {
  const redisUrl = Deno.env.get("REDIS_URL");
  const databaseUrl = Deno.env.get("DATABASE_URL");
  const store: SessionStore = redisUrl
    ? new RedisStore({ url: redisUrl, prefix: `pubkit:load:${Deno.pid}:` })
    : new MemoryStore();
  const sessions = new SessionManager({
    store,
    secrets: ["the load script's secret, thirty-two characters or more"],
  });
  let pool: Pool<PostgresClient> | undefined;
  const app = createApp({
    sessions,
    log,
    startup: [{
      name: "resources",
      run: (app) => {
        app.registerCleanup(() => console.log("CLEANED sessions"), "mark sessions");
        app.registerCleanup(() => sessions.close(), "sessions");
        if (databaseUrl) {
          pool = app.addPool(
            "pg",
            new Pool(
              new PostgresFactory({
                connectionString: databaseUrl,
                applicationName: "pubkit-load",
              }),
              { max: 8 },
            ),
          );
        }
        app.registerCleanup(() => console.log("CLEANED pool"), "mark pool");
      },
    }],
    handler: async (req) => {
      switch (req.path) {
        case "/hello":
          return "hello";
        case "/read":
          return `${(await req.request.text()).length} bytes`;
        case "/slow":
          await new Promise((resolve) => setTimeout(resolve, 300));
          return "slow";
        case "/upload": {
          let read = 0;
          let largest = 0;
          const counted = req.request.body!.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                read += chunk.length;
                largest = Math.max(largest, chunk.length);
                controller.enqueue(chunk);
              },
            }),
          );
          const request = new Request(req.request, {
            body: counted,
            // @ts-ignore: duplex is required for stream bodies
            duplex: "half",
          });
          try {
            await parseForm(request, { limits: { maxMultipartBytes: 1024 * 1024 } });
          } catch (error) {
            if (error instanceof HttpError) {
              throw new HttpError(
                error.status,
                `${error.message} (read ${read} largest ${largest})`,
              );
            }
            throw error;
          }
          return `read ${read}`;
        }
        case "/counter": {
          const session = await req.openSession();
          const n = ((session.get("n") as number | undefined) ?? 0) + 1;
          session.set("n", n);
          return String(n);
        }
        case "/pg": {
          if (!pool) throw new HttpError(404, "no DATABASE_URL");
          const { rows } = await pool.use((client) => client.query("SELECT 1 AS one"));
          return String(rows[0].one);
        }
        default:
          throw new HttpError(404, "Not found");
      }
    },
  });
  return app;
}

const app = mode === "example" ? await exampleApp() : faultApp();
await app.serve({
  port: 0,
  shutdownTimeout: 5_000,
  // The example (row 3) is served directly, as `deno task serve` does: Deno.serve closes no slow
  // or idle connection, the guard does, here within row 3's 12 s window. The fault rows run
  // without it.
  connectionDeadlines: mode === "example" ? { headTimeout: 5_000, idleTimeout: 5_000 } : undefined,
  onListen: (url) => console.log(`PORT ${url.port}`),
});
console.log("STOPPED");
Deno.exit(0);
