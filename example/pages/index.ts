// The home page: a visit counter in the session, rendered by the embedded-code engine.
import { type BoardReq, pageVars } from "../lib/page.ts";

export function index(req: BoardReq): Promise<Response> {
  const session = req.session;
  const visits = ((session.get("visits") as number | undefined) ?? 0) + 1;
  session.set("visits", visits);
  return req.render("home", { ...pageVars(req, "pubkit notes"), visits });
}
