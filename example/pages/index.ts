// The home page: a visit counter in the session, rendered by the embedded-code engine.
import type { Req } from "@pubkit/request";
import { app, pageVars } from "../lib/page.ts";

export function index(req: Req): Promise<Response> {
  const session = app(req).session;
  const visits = ((session.get("visits") as number | undefined) ?? 0) + 1;
  session.set("visits", visits);
  return app(req).render("home", { ...pageVars(req, "pubkit notes"), visits });
}
