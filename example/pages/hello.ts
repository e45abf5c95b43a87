// mod_python's hello world, published: /hello?name=Ada (or /hello/index?name=Ada). A returned
// string is always text/plain, so echoing the name is safe; /hello/page returns HTML built with
// the `html` tag, which escapes the name.
import type { Req } from "@pubkit/request";
import { type Html, html } from "@pubkit/render";

export function index(_req: Req, { name = "world" }: { name?: string }): string {
  return `Hello, ${name}!`;
}

export function page(_req: Req, { name = "world" }: { name?: string }): Html {
  return html`
    <!DOCTYPE html>
    <title>Hello</title>
    <p>Hello, <b>${name}</b>!</p>
  `;
}
