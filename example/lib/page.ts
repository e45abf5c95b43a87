/** What every page needs: the signed-in user, the CSRF token, the notes store. */
import { HttpError, type Req } from "@pubkit/request";
import type { AppReq } from "@pubkit/server";
import { csrfToken } from "./csrf.ts";
import { type NotesStore, PostgresNotesStore, SqliteNotesStore } from "./notes_store.ts";
import type { Pool } from "@pubkit/pool";
import type { PostgresClient } from "@pubkit/pool/postgres";
import type { DatabaseSync } from "node:sqlite";

/** The signed-in user kept in the session. */
export interface SessionUser {
  id: number;
  name: string;
}

/** The request as the board's pages see it (the server hands them an `AppReq`). */
export function app(req: Req): AppReq {
  return req as AppReq;
}

/** The signed-in user, or `undefined`. */
export function currentUser(req: Req): SessionUser | undefined {
  return app(req).session.get("user") as SessionUser | undefined;
}

/** The signed-in user, or a 401-ish redirect to the login page. */
export function requireUser(req: Req): SessionUser {
  const user = currentUser(req);
  if (!user) throw new HttpError(401, "Cannot show this page: log in first");
  return user;
}

/** The notes store over whichever pool start-up created: `postgres` or `sqlite`. */
export function notesStore(req: Req): NotesStore {
  const { postgres, sqlite } = app(req).server.pools;
  return postgres
    ? new PostgresNotesStore(postgres as Pool<PostgresClient>)
    : new SqliteNotesStore(sqlite as Pool<DatabaseSync>);
}

/** The values every layout needs. */
export function pageVars(req: Req, title: string): Record<string, unknown> {
  return { title, user: currentUser(req), csrf: csrfToken(req) };
}
