// Views reached only by internal redirect from a controller (notes.ts#mine).
import { HttpError } from "@pubkit/request";
import { type BoardReq, currentUser } from "../lib/page.ts";

export function mine(req: BoardReq): Promise<Response> {
  const notes = req.prev?.data.mine;
  if (!notes) throw new HttpError(404, "Not Found");
  const session = req.session;
  const views = ((session.get("mineViews") as number | undefined) ?? 0) + 1;
  session.set("mineViews", views);
  return req.fill("mine", (page) => {
    page.node("user").text(currentUser(req)?.name ?? "");
    page.node("views").text(views);
    page.node("note").repeat(notes, (item, note) => {
      item.node("title").text(note.title);
      item.node("created").text(note.created);
    });
    if (notes.length > 0) page.node("empty").omit();
  });
}
