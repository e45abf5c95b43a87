// Sign up, log in, log out. The session id is regenerated at login (no fixation) and the
// session invalidated at logout; every form carries the session's CSRF token. Passwords are
// hashed at one of the app's N password desks (503 when all are busy), and log-in failures
// are throttled per account and per client address (429 with Retry-After).
import { HttpError } from "@pubkit/request";
import { checkCsrf } from "../../lib/csrf.ts";
import { isUserName, password, userName } from "../../lib/form_checks.ts";
import { type BoardReq, define, notesStore, pageVars } from "../../lib/page.ts";
import { takeDesk } from "../../lib/password_desks.ts";

async function signIn(req: BoardReq, id: number, name: string): Promise<Response> {
  const session = req.session;
  await session.regenerate();
  session.set("user", { id, name });
  return req.redirect("/notes", 303);
}

export const signup = define.publish({ methods: ["GET", "POST"] }, async (req, fields) => {
  if (req.method !== "POST") return req.render("signup", pageVars(req, "Sign up"));
  await checkCsrf(req);
  const name = userName(fields.name);
  const secret = password(fields.password);
  // Hashed before the name is looked up: a taken name costs as long as a free one.
  let hash: string;
  {
    await using desk = await takeDesk(req);
    hash = await desk.resource.hash(secret);
  }
  const id = await notesStore(req).createUser(name, hash);
  if (id === undefined) throw new HttpError(409, `Cannot sign up as ${name}: the name is taken`);
  return signIn(req, id, name);
});

export const login = define.publish({ methods: ["GET", "POST"] }, async (req, fields) => {
  if (req.method !== "POST") return req.render("login", pageVars(req, "Log in"));
  await checkCsrf(req);
  const name = typeof fields.name === "string" ? fields.name.trim() : "";
  const secret = typeof fields.password === "string" ? fields.password : "";
  // A name sign-up could never have accepted (a NUL, say, which PostgreSQL refuses) names no
  // account: it fails at once, before the throttle's store or the database sees it. The rule is
  // public, so answering without a hash tells nothing.
  if (!isUserName(name)) throw new HttpError(401, "Cannot log in: wrong user name or password");
  // Behind a proxy named in createApp({ trustProxy }), the client's own address.
  const address = req.remoteAddr ?? "unknown";
  await using desk = await takeDesk(req);
  const { throttle } = desk.resource;
  const wait = await throttle.admit(name, address);
  if (wait > 0) {
    throw new HttpError(429, `Cannot log in: too many failed attempts; try again in ${wait} s`, {
      headers: { "retry-after": String(wait) },
    });
  }
  const user = await notesStore(req).findUser(name);
  // Verify even for an unknown name, so timing does not tell which names exist.
  const stored = user?.passwordHash ?? "pbkdf2-sha256$600000$00$00";
  if (!(await desk.resource.verify(secret, stored)) || !user) {
    await throttle.failed(name, address);
    throw new HttpError(401, "Cannot log in: wrong user name or password");
  }
  await throttle.succeeded(name, address);
  return signIn(req, user.id, user.name);
});

export const logout = define.publish({ methods: ["POST"] }, async (req) => {
  await checkCsrf(req);
  await req.session.invalidate();
  return req.redirect("/", 303);
});
