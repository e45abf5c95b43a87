/**
 * `deno task serve`: the notes board on PORT (8000), keeping its data in DATA_DIR (`.data/`).
 * REDIS_URL keeps sessions and log-in counters in Redis, DATABASE_URL keeps notes (and the
 * counters, without Redis) in PostgreSQL.
 * TRUST_PROXY names the reverse proxies (comma-separated addresses) whose X-Forwarded-For and
 * X-Forwarded-Proto are believed. LOG=console logs a line per `console.log` (see below).
 *
 * Under `deno serve --parallel`, use `serve.ts` as the entry: `deno serve` sets
 * `import.meta.main` in its entry module too, which would start a second listener here.
 */
import { formatLogRecord } from "@pubkit/server";
import { createNotesApp } from "./app.ts";

const env = (name: string) => Deno.env.get(name) || undefined;

const app = await createNotesApp({
  dataDir: env("DATA_DIR") ?? new URL("../.data", import.meta.url).pathname,
  redisUrl: env("REDIS_URL"),
  databaseUrl: env("DATABASE_URL"),
  trustProxy: env("TRUST_PROXY")?.split(",").map((address) => address.trim()),
  dev: env("PUBKIT_DEV") === "1",
  // LOG=console: one console.log per line instead of the buffered stdout log, e.g. so that
  // `deno serve --parallel` prefixes each line with its worker (at the cost of a write per line).
  log: env("LOG") === "console"
    ? (record) => console.log(formatLogRecord(record).trimEnd())
    : undefined,
});

export default app;

if (import.meta.main) {
  await app.serve({
    port: Number(env("PORT") ?? 8000),
    hostname: env("HOST") ?? "127.0.0.1",
    // Served directly (no reverse proxy in front): close slow heads and idle connections.
    connectionDeadlines: { headTimeout: 10_000, idleTimeout: 60_000 },
  });
  Deno.exit(0);
}
