// pubkit: the benchmark site published by a Publisher inside createApp, with sessions in a
// MemoryStore, SQLite through a Pool, and the embedded-code engine.
// Serve: deno run -A bench/servers/pubkit.ts --db=<posts.db> [--port=N]
import { Publisher } from "@pubkit/publisher";
import { createApp } from "@pubkit/server";
import { MemoryStore, SessionManager } from "@pubkit/session";
import { Pool, SqliteFactory } from "@pubkit/pool";
import { EmbeddedEngine } from "@pubkit/render";
import { SECRET, SITE, TEMPLATES } from "../_page.ts";
import { args, serve, type Stack } from "./_serve.ts";

/** The pubkit stack. */
export async function pubkitStack(dbPath: string): Promise<Stack> {
  const publisher = await Publisher.create({ root: SITE });
  const engine = new EmbeddedEngine({ searchPath: [TEMPLATES] });
  const app = createApp({
    handler: (req) => publisher.handle(req),
    sessions: new SessionManager({ store: new MemoryStore(), secrets: [SECRET] }),
    renderTemplate: (name, vars) => engine.render(name, vars),
    accessLog: false,
  });
  app.addPool("db", new Pool(new SqliteFactory({ path: dbPath }), { max: 4 }));
  await app.start();
  return {
    fetch: app.fetch,
    async close() {
      await app.close();
      await publisher.close();
    },
  };
}

if (import.meta.main) {
  const { port, db } = args();
  await serve(await pubkitStack(db), port);
}
