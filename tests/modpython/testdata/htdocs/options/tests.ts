// Ports of tests.py's PythonOption_items and req_server_get_options: a folder's settings are
// its `_config.ts` merged over its parents'; a key set to `undefined` is removed.
import type { CallContext } from "@pubkit/publisher";
import type { Req } from "@pubkit/request";

const INHERITED = new Set(["global", "override", "local"]);

export function PythonOption_items(_req: Req, _fields: unknown, context: CallContext): string {
  const items = Object.entries(context.route.scope.settings)
    .filter(([name, value]) => value !== undefined && !INHERITED.has(name))
    .sort(([a], [b]) => a < b ? -1 : 1)
    .map(([name, value]) => `('${name}', '${value}')`);
  return `[${items.join(", ")}]`;
}

export function req_get_options(_req: Req, _fields: unknown, context: CallContext): string {
  const { global, override, local } = context.route.scope.settings;
  return global === "1" && override === "2" && local === "1" ? "test ok" : "test failed";
}
