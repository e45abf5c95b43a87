import type { AppReq } from "@pubkit/server";

/** Starts the session (its cookie), so that the next request waits for its lock. */
export function visit(req: AppReq): string {
  req.session.set("visits", 1);
  return "visited";
}

/** Uses the pool, then redirects internally to the view. */
export async function work(req: AppReq): Promise<Response> {
  const lease = await req.acquire("things");
  lease.release();
  return req.internalRedirect("/view");
}

/** Renders the page. */
export function view(req: AppReq): Promise<Response> {
  return req.render("page", { visits: req.session.get("visits") });
}

/** Holds the session's lock for 600 ms: another request of the session times out meanwhile. */
export async function hold(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 600));
  return "held";
}
