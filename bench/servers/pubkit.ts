// pubkit: the benchmark site published by createApp, with sessions in a MemoryStore, SQLite
// through a Pool, and the embedded-code engine (templates set by the site's _config.ts). Every
// other option is left at its default, as users get it: the access log on (to stdout), the
// default security headers.
// Serve: deno run -A --unstable-no-legacy-abort bench/servers/pubkit.ts --db=<posts.db> [--port=N]
import { type AppOptions, createApp } from "@pubkit/server";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { Pool } from "@pubkit/pool";
import { SqliteFactory } from "@pubkit/pool/sqlite";
import { SECRET, SITE } from "../_page.ts";
import { args, serve, type Stack } from "./_serve.ts";

/**
 * The pubkit stack.
 *
 * @param dbPath The posts database.
 * @param options Options that differ from the defaults (`pubkit_log_off.ts`: no access log).
 */
export async function pubkitStack(
  dbPath: string,
  options: Partial<AppOptions> = {},
): Promise<Stack> {
  const app = createApp({
    publish: { root: SITE },
    sessions: new SessionManager({ store: new MemoryStore(), secrets: [SECRET] }),
    ...options,
  });
  app.addPool("db", new Pool(new SqliteFactory({ path: dbPath }), { max: 4 }));
  await app.start();
  return {
    fetch: app.fetch,
    async close() {
      await app.close();
    },
  };
}

if (import.meta.main) {
  const { port, db } = args();
  await serve(await pubkitStack(db), port);
}
