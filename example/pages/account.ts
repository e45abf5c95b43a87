// Sign up, log in, log out. The session id is regenerated at login (no fixation) and the
// session invalidated at logout; every form carries the session's CSRF token.
import { publish } from "@pubkit/publisher";
import { HttpError, type Req } from "@pubkit/request";
import { checkCsrf } from "../lib/csrf.ts";
import { text, userName } from "../lib/form_checks.ts";
import { app, notesStore, pageVars } from "../lib/page.ts";
import { hashPassword, verifyPassword } from "../lib/passwords.ts";

async function signIn(req: Req, id: number, name: string): Promise<Response> {
  const session = app(req).session;
  await session.regenerate();
  session.set("user", { id, name });
  return req.redirect("/notes", 303);
}

export const signup = publish({ methods: ["GET", "POST"] }, async (req, fields) => {
  if (req.method !== "POST") return app(req).render("signup", pageVars(req, "Sign up"));
  await checkCsrf(req);
  const name = userName(fields.name);
  const password = text(fields.password, "the password", 8, 200);
  const id = await notesStore(req).createUser(name, await hashPassword(password));
  if (id === undefined) throw new HttpError(409, `Cannot sign up as ${name}: the name is taken`);
  return signIn(req, id, name);
});

export const login = publish({ methods: ["GET", "POST"] }, async (req, fields) => {
  if (req.method !== "POST") return app(req).render("login", pageVars(req, "Log in"));
  await checkCsrf(req);
  const name = typeof fields.name === "string" ? fields.name.trim() : "";
  const password = typeof fields.password === "string" ? fields.password : "";
  const user = await notesStore(req).findUser(name);
  // Verify even for an unknown name, so timing does not tell which names exist.
  const stored = user?.passwordHash ?? "pbkdf2-sha256$600000$00$00";
  if (!(await verifyPassword(password, stored)) || !user) {
    throw new HttpError(401, "Cannot log in: wrong user name or password");
  }
  return signIn(req, user.id, user.name);
});

export const logout = publish({ methods: ["POST"] }, async (req) => {
  await checkCsrf(req);
  await app(req).session.invalidate();
  return req.redirect("/", 303);
});
