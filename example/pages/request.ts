// Shows the request as pubkit sees it: method, path, query, form, cookies (fill engine).
import { publish } from "@pubkit/publisher";
import { Fields } from "@pubkit/request";
import { app } from "../lib/page.ts";

function rows(source: Fields | Record<string, string>): [string, string][] {
  if (!(source instanceof Fields)) return Object.entries(source);
  return [...source.entries()].map(([name, value]) => [
    name,
    typeof value === "string" ? value : `file ${value.name} (${value.size} bytes)`,
  ]);
}

export const index = publish({ methods: ["GET", "POST"] }, async (req) => {
  const sources = { query: req.query, form: await req.form(), cookies: req.cookies };
  return app(req).fill("request", (page) => {
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
