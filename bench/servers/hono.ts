// Hono with hono-sessions (encrypted cookie store) and Eta: the popular stack for the same page.
// Serve: deno run -A --unstable-no-legacy-abort bench/servers/hono.ts --db=<posts.db> [--port=N]
import { Hono } from "hono";
import { CookieStore, type Session, sessionMiddleware } from "hono-sessions";
import { Eta } from "eta";
import { DatabaseSync } from "node:sqlite";
import { SECRET, selectRows, TEMPLATES } from "../_page.ts";
import { args, serve, type Stack } from "./_serve.ts";

/** The Hono stack. */
export function honoStack(dbPath: string): Stack {
  const db = new DatabaseSync(dbPath);
  const eta = new Eta({ views: TEMPLATES, cache: true });
  const app = new Hono<{ Variables: { session: Session<{ count: number }> } }>();
  app.get("/hello", (c) => c.text("Hello, World!"));
  app.use(
    "/page",
    sessionMiddleware({
      store: new CookieStore(),
      encryptionKey: SECRET,
      expireAfterSeconds: 1800,
      cookieOptions: { path: "/", httpOnly: true, sameSite: "Lax" },
    }),
  );
  app.get("/page", (c) => {
    const session = c.get("session");
    const count = (session.get("count") ?? 0) + 1;
    session.set("count", count);
    return c.html(eta.render("page", { count, rows: selectRows(db) }));
  });
  return {
    fetch: (request, info) => app.fetch(request, { info }),
    close: () => Promise.resolve(db.close()),
  };
}

if (import.meta.main) {
  const { port, db } = args();
  await serve(honoStack(db), port);
}
