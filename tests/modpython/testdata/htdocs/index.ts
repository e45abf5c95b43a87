// Port of mod_python's test/htdocs/index.py (Apache License 2.0; see docs/MODPYTHON.md).
import type { Req } from "@pubkit/request";

export function index(_req: Req): string {
  return "test 1 ok";
}

export function foobar(_req: Req): string {
  return "test 2 ok";
}
