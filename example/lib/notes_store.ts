/** The notes board's data: users and notes, in SQLite (default) or PostgreSQL. */
import type { DatabaseSync } from "node:sqlite";
import type { Pool } from "@pubkit/pool";
import type { PostgresClient } from "@pubkit/pool/postgres";

/** A note as listed. */
export interface Note {
  id: number;
  title: string;
  body: string;
  author: string;
  authorId: number;
  created: string;
}

/** A stored user. */
export interface User {
  id: number;
  name: string;
  passwordHash: string;
}

/** One page of notes, newest first. */
export interface NotesPage {
  notes: Note[];
  total: number;
}

/** What the pages need from storage, whichever database holds it. */
export interface NotesStore {
  migrate(): Promise<void>;
  /** Creates a user; `undefined` when the name is taken. */
  createUser(name: string, passwordHash: string): Promise<number | undefined>;
  findUser(name: string): Promise<User | undefined>;
  addNote(authorId: number, title: string, body: string): Promise<number>;
  listNotes(offset: number, limit: number): Promise<NotesPage>;
  /** Deletes a note of `authorId`: "deleted", "forbidden" (someone else's) or "missing". */
  deleteNote(id: number, authorId: number): Promise<"deleted" | "forbidden" | "missing">;
}

const SQLITE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES users(id),
    title TEXT NOT NULL, body TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
  CREATE INDEX IF NOT EXISTS notes_newest ON notes (id DESC);`;

type Row = Record<string, unknown>;

const toNote = (row: Row): Note => ({
  id: Number(row.id),
  title: String(row.title),
  body: String(row.body),
  author: String(row.author),
  authorId: Number(row.author_id),
  created: String(row.created),
});

/** Notes in SQLite through a pool of `node:sqlite` connections. */
export class SqliteNotesStore implements NotesStore {
  #pool: Pool<DatabaseSync>;
  constructor(pool: Pool<DatabaseSync>) {
    this.#pool = pool;
  }
  migrate(): Promise<void> {
    return this.#pool.use((db) => void db.exec(SQLITE_SCHEMA));
  }
  createUser(name: string, passwordHash: string): Promise<number | undefined> {
    return this.#pool.use((db) => {
      const result = db.prepare(
        "INSERT INTO users (name, password_hash) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
      ).run(name, passwordHash);
      return result.changes === 0 ? undefined : Number(result.lastInsertRowid);
    });
  }
  findUser(name: string): Promise<User | undefined> {
    return this.#pool.use((db) => {
      const row = db.prepare("SELECT id, name, password_hash FROM users WHERE name = ?").get(name);
      return row
        ? { id: Number(row.id), name: String(row.name), passwordHash: String(row.password_hash) }
        : undefined;
    });
  }
  addNote(authorId: number, title: string, body: string): Promise<number> {
    return this.#pool.use((db) =>
      Number(
        db.prepare("INSERT INTO notes (author_id, title, body) VALUES (?, ?, ?)")
          .run(authorId, title, body).lastInsertRowid,
      )
    );
  }
  listNotes(offset: number, limit: number): Promise<NotesPage> {
    return this.#pool.use((db) => {
      const rows = db.prepare(
        `SELECT notes.id, title, body, created, author_id, users.name AS author
         FROM notes JOIN users ON users.id = notes.author_id
         ORDER BY notes.id DESC LIMIT ? OFFSET ?`,
      ).all(limit, offset);
      const total = Number(db.prepare("SELECT count(*) AS n FROM notes").get()?.n ?? 0);
      return { notes: rows.map(toNote), total };
    });
  }
  deleteNote(id: number, authorId: number): Promise<"deleted" | "forbidden" | "missing"> {
    return this.#pool.use((db) => {
      const row = db.prepare("SELECT author_id FROM notes WHERE id = ?").get(id);
      if (!row) return "missing";
      if (Number(row.author_id) !== authorId) return "forbidden";
      db.prepare("DELETE FROM notes WHERE id = ?").run(id);
      return "deleted";
    });
  }
}

/** Notes in PostgreSQL through a pool of `pg` clients. */
export class PostgresNotesStore implements NotesStore {
  #pool: Pool<PostgresClient>;
  constructor(pool: Pool<PostgresClient>) {
    this.#pool = pool;
  }
  async migrate(): Promise<void> {
    await this.#pool.use((db) =>
      db.query(`
        CREATE TABLE IF NOT EXISTS pubkit_users (
          id SERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS pubkit_notes (
          id SERIAL PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES pubkit_users(id),
          title TEXT NOT NULL, body TEXT NOT NULL, created TIMESTAMPTZ NOT NULL DEFAULT now());`)
    );
  }
  createUser(name: string, passwordHash: string): Promise<number | undefined> {
    return this.#pool.use(async (db) => {
      const { rows } = await db.query(
        `INSERT INTO pubkit_users (name, password_hash) VALUES ($1, $2)
         ON CONFLICT (name) DO NOTHING RETURNING id`,
        [name, passwordHash],
      );
      return rows[0] ? Number(rows[0].id) : undefined;
    });
  }
  findUser(name: string): Promise<User | undefined> {
    return this.#pool.use(async (db) => {
      const { rows } = await db.query(
        "SELECT id, name, password_hash FROM pubkit_users WHERE name = $1",
        [name],
      );
      const row = rows[0];
      return row
        ? { id: Number(row.id), name: String(row.name), passwordHash: String(row.password_hash) }
        : undefined;
    });
  }
  addNote(authorId: number, title: string, body: string): Promise<number> {
    return this.#pool.use(async (db) => {
      const { rows } = await db.query(
        "INSERT INTO pubkit_notes (author_id, title, body) VALUES ($1, $2, $3) RETURNING id",
        [authorId, title, body],
      );
      return Number(rows[0].id);
    });
  }
  listNotes(offset: number, limit: number): Promise<NotesPage> {
    return this.#pool.use(async (db) => {
      const { rows } = await db.query(
        `SELECT n.id, n.title, n.body, n.created, n.author_id, u.name AS author
         FROM pubkit_notes n JOIN pubkit_users u ON u.id = n.author_id
         ORDER BY n.id DESC LIMIT $1 OFFSET $2`,
        [limit, offset],
      );
      const count = await db.query("SELECT count(*) AS n FROM pubkit_notes");
      return { notes: rows.map(toNote), total: Number(count.rows[0].n) };
    });
  }
  deleteNote(id: number, authorId: number): Promise<"deleted" | "forbidden" | "missing"> {
    return this.#pool.use(async (db) => {
      const { rows } = await db.query("SELECT author_id FROM pubkit_notes WHERE id = $1", [id]);
      if (!rows[0]) return "missing";
      if (Number(rows[0].author_id) !== authorId) return "forbidden";
      await db.query("DELETE FROM pubkit_notes WHERE id = $1", [id]);
      return "deleted";
    });
  }
}
