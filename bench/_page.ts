// The realistic page shared by the in-process and HTTP benchmarks: a session counter, 100 rows
// of user-supplied text from SQLite, escaped into a ~15 KB page. Also the hand-written version
// of it on raw Deno.serve (signed cookie + Map, template literal), the baseline of the issue.
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { AppReq } from "@pubkit/server";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** The session secret every stack uses. */
export const SECRET = "a bench secret of at least thirty-two characters";
/** Where the page templates are (`page.ehtml` for pubkit, `page.eta` for Eta). */
export const TEMPLATES: string = new URL("./fixtures/page/", import.meta.url).pathname;
/** The published site (`/hello`, `/page`, `/shop/cart/items/add`, …). */
export const SITE: string = new URL("./fixtures/site/", import.meta.url).pathname;

/** One row of the page. */
export interface Row {
  id: number;
  author: string;
  title: string;
  body: string;
}

const ROWS_SQL = "SELECT id, author, title, body FROM posts ORDER BY id LIMIT 100";
const statements = new WeakMap<DatabaseSync, StatementSync>();

/** The page's query, prepared once per connection as a careful hand-written handler does. */
export function selectRows(db: DatabaseSync): Row[] {
  let statement = statements.get(db);
  if (!statement) statements.set(db, statement = db.prepare(ROWS_SQL));
  return statement.all() as unknown as Row[];
}

/**
 * What pubkit's page routes render (`/page`, `/fill`): the session's visit count, counted up,
 * and the rows, read through the pool's `db` connection.
 */
export async function visit(req: AppReq): Promise<{ count: number; rows: Row[] }> {
  const session = await req.openSession();
  const count = ((session.get("count") as number | undefined) ?? 0) + 1;
  session.set("count", count);
  const lease = await req.acquire<DatabaseSync>("db");
  return { count, rows: selectRows(lease.resource) };
}

/** Creates `posts.db` in `dir` with 100 rows that need escaping; returns its path. */
export function createDatabase(dir: string): string {
  const path = `${dir}/posts.db`;
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("DROP TABLE IF EXISTS posts");
  db.exec("CREATE TABLE posts (id INTEGER PRIMARY KEY, author TEXT, title TEXT, body TEXT)");
  const insert = db.prepare("INSERT INTO posts VALUES (?, ?, ?, ?)");
  for (let i = 1; i <= 100; i++) {
    const values: SQLInputValue[] = [
      i,
      `user${i} <u${i}@example.com>`,
      `Re: "Tom & Jerry" #${i}`,
      `<b>yes</b> & it's fine`,
    ];
    insert.run(...values);
  }
  db.close();
  return path;
}

const ESCAPES: Record<number, string> = {
  38: "&amp;",
  60: "&lt;",
  62: "&gt;",
  34: "&quot;",
  39: "&#39;",
};

/**
 * The escaper of the hand-written page: a careful one (one charCodeAt pass; a regexp replace
 * is about 3× slower), so that the baseline measures the page, not a slow escaper.
 */
export function escape(value: unknown): string {
  const text = String(value);
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 62) continue;
    const replacement = ESCAPES[code];
    if (replacement === undefined) continue;
    out += text.slice(last, i) + replacement;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** The page as a template literal: the same markup as `fixtures/page/page.ehtml`. */
export function pageHtml(count: number, rows: readonly Row[]): string {
  const visit = count === 1
    ? `<p class="visit">Welcome, first-time visitor!</p>`
    : `<p class="visit">Welcome back: visit number ${count}.</p>`;
  let body = "";
  for (const row of rows) {
    body += `<tr><td>${row.id}</td><td>${escape(row.author)}</td><td>${escape(row.title)}</td>` +
      `<td>${escape(row.body)}</td></tr>\n`;
  }
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Posts — visit ${count}</title></head>
<body>
<h1>Latest posts</h1>
${visit}
<table>
<thead><tr><th>#</th><th>Author</th><th>Title</th><th>Excerpt</th></tr></thead>
<tbody>
${body}</tbody>
</table>
</body>
</html>
`;
}

const MAX_SESSIONS = 10_000;

/**
 * The hand-written page handler: `sid=<id>.<hmac>` cookie checked with node:crypto, sessions
 * in a `Map` bounded like pubkit's MemoryStore, one SQLite connection, a template literal.
 */
export function rawPageHandler(dbPath: string): (request: Request) => Response {
  const db = new DatabaseSync(dbPath);
  const sessions = new Map<string, { count: number }>();
  const sign = (id: string) => createHmac("sha256", SECRET).update(id).digest("base64url");
  const verify = (value: string): string | undefined => {
    const dot = value.indexOf(".");
    if (dot < 0) return undefined;
    const id = value.slice(0, dot);
    const mac = Buffer.from(value.slice(dot + 1), "base64url");
    const expected = Buffer.from(sign(id), "base64url");
    return mac.length === expected.length && timingSafeEqual(mac, expected) ? id : undefined;
  };
  return (request) => {
    const match = /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get("cookie") ?? "");
    const id = match ? verify(match[1]!) : undefined;
    let session = id === undefined ? undefined : sessions.get(id);
    const headers = new Headers({ "content-type": "text/html; charset=utf-8" });
    if (!session) {
      const fresh = randomBytes(32).toString("base64url");
      session = { count: 0 };
      if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      sessions.set(fresh, session);
      headers.set("set-cookie", `sid=${fresh}.${sign(fresh)}; Path=/; HttpOnly; SameSite=Lax`);
    }
    session.count++;
    return new Response(pageHtml(session.count, selectRows(db)), { headers });
  };
}

/** The hand-written hello handler. */
export function rawHelloHandler(): (request: Request) => Response {
  return () => new Response("Hello, World!", { headers: { "content-type": "text/plain" } });
}
