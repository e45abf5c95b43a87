// Shows the request as pubkit sees it: method, path, query, form, cookies (fill engine). The
// values of HttpOnly cookies are hidden: a page that prints them hands them to any script.
import { type BoardReq, define } from "../../lib/page.ts";
import { Fields } from "@pubkit/request";
import { nonceCookie } from "../../lib/csrf.ts";

/** The cookies, with the values of those the app sets HttpOnly (session, CSRF nonce) hidden. */
function cookiesShown(req: BoardReq): Record<string, string> {
  const https = req.https;
  const hidden = [req.server.sessions?.cookieName(https), nonceCookie(req)];
  return Object.fromEntries(
    Object.entries(req.cookies).map(([name, value]) => [
      name,
      hidden.includes(name) ? "(hidden: HttpOnly)" : value,
    ]),
  );
}

function rows(source: Fields | Record<string, string>): [string, string][] {
  if (!(source instanceof Fields)) return Object.entries(source);
  return [...source.entries()].map(([name, value]) => [
    name,
    typeof value === "string" ? value : `file ${value.name} (${value.size} bytes)`,
  ]);
}

export const index = define.publish({ methods: ["GET", "POST"] }, async (req) => {
  const sources = { query: req.query, form: await req.form(), cookies: cookiesShown(req) };
  return req.fill("request", (page) => {
    page.node("method").text(req.method);
    page.node("path").text(req.path);
    for (const [name, source] of Object.entries(sources)) {
      const list = rows(source);
      page.node(name).repeat(list, (row, [key, value]) => {
        row.node("key").text(key);
        row.node("value").text(value);
      });
      if (list.length > 0) page.node(`${name}-empty`).omit();
    }
  });
});
