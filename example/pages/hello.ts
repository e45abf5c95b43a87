// mod_python's hello world, published: /hello?name=Ada (or /hello/index?name=Ada).
import type { Req } from "@pubkit/request";

export function index(_req: Req, { name = "world" }: { name?: string }): string {
  return `Hello, ${name}!`;
}
