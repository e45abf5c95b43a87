/** What every page needs: the signed-in user, the CSRF token, the notes store. */
import { HttpError } from "@pubkit/request";
import { type AppReq, createDefine } from "@pubkit/server";
import { csrfToken } from "./csrf.ts";
import { type Note, type NotesStore, PostgresNotesStore, SqliteNotesStore } from "./notes_store.ts";
import type { Pool } from "@pubkit/pool";
import type { PostgresClient } from "@pubkit/pool/postgres";
import type { DatabaseSync } from "node:sqlite";

/** The signed-in user kept in the session. */
export interface SessionUser {
  id: number;
  name: string;
}

/** What the board's pages keep on a request (`req.data`), for the views they redirect to. */
export interface BoardData {
  /** The signed-in user's notes, from the `notes/mine` controller for its view. */
  mine?: Note[];
}

/** The request as the board's pages see it: the app's request with the board's data. */
export type BoardReq = AppReq<BoardData>;

/** Types the board's published functions: `define.publish(options, (req, fields) => ...)`. */
export const define = createDefine<BoardData>();

/** The signed-in user, or `undefined`. */
export function currentUser(req: AppReq): SessionUser | undefined {
  return req.session.get("user") as SessionUser | undefined;
}

/** The signed-in user, or a 401-ish redirect to the login page. */
export function requireUser(req: AppReq): SessionUser {
  const user = currentUser(req);
  if (!user) throw new HttpError(401, "Cannot show this page: log in first");
  return user;
}

/** The notes store over whichever pool start-up created: `postgres` or `sqlite`. */
export function notesStore(req: AppReq): NotesStore {
  const { postgres, sqlite } = req.server.pools;
  return postgres
    ? new PostgresNotesStore(postgres as Pool<PostgresClient>)
    : new SqliteNotesStore(sqlite as Pool<DatabaseSync>);
}

/** The values every layout needs. */
export function pageVars(req: AppReq, title: string): Record<string, unknown> {
  return { title, user: currentUser(req), csrf: csrfToken(req) };
}
