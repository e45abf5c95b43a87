// The notes board. Every function here needs a signed-in user (the module's _guard).
import { HttpError } from "@pubkit/request";
import { checkCsrf } from "../../lib/csrf.ts";
import { text } from "../../lib/form_checks.ts";
import {
  type BoardReq,
  currentUser,
  define,
  notesStore,
  pageVars,
  requireUser,
} from "../../lib/page.ts";

const PAGE_SIZE = 10;

export function _guard(req: BoardReq): Response | undefined {
  return currentUser(req) ? undefined : req.redirect("/account/login", 303);
}

/** Lists notes newest first, rendered straight from the controller with its data. */
export const index = define.publish({ fields: { page: "int?" } }, async (req, { page = 1 }) => {
  if (page < 1) throw new HttpError(400, "Cannot show the notes: page must be 1 or more");
  const { notes, total } = await notesStore(req).listNotes((page - 1) * PAGE_SIZE, PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return req.render("notes", { ...pageVars(req, "Notes"), notes, page, pages, total });
});

export const add = define.publish({ methods: ["POST"] }, async (req, fields) => {
  await checkCsrf(req);
  const title = text(fields.title, "the title", 1, 100);
  const body = text(fields.text, "the text", 1, 2000);
  await notesStore(req).addNote(requireUser(req).id, title, body);
  return req.redirect("/notes", 303);
});

export const remove = define.publish(
  { methods: ["POST"], fields: { id: "int", csrf: "string?" } },
  async (req, { id }) => {
    await checkCsrf(req);
    const outcome = await notesStore(req).deleteNote(id, requireUser(req).id);
    if (outcome === "forbidden") {
      throw new HttpError(
        403,
        "Cannot delete this note: it is not yours",
      );
    }
    if (outcome === "missing") {
      throw new HttpError(
        404,
        "Cannot delete this note: it does not exist",
      );
    }
    return req.redirect("/notes", 303);
  },
);

/**
 * The seed's MVC flow: this controller computes the user's notes, stashes them on the request
 * and internally redirects to a view (views.ts) that reads `req.prev.data`. Both touch the same
 * locked session: the redirect re-enters the lock instead of deadlocking.
 */
export async function mine(req: BoardReq): Promise<Response> {
  const user = requireUser(req);
  const { notes } = await notesStore(req).listNotes(0, 1000);
  req.data.mine = notes.filter((note) => note.authorId === user.id);
  req.session.set("lastViewedMine", new Date().toISOString());
  return req.internalRedirect("/views/mine");
}
