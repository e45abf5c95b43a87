import type { Req } from "@pubkit/request";

export function index(): string {
  return "admin home";
}

export function whoami(_req: Req, _fields: unknown, context: { user?: string }): string {
  return `you are ${context.user}`;
}

export function replace(req: Req): string {
  return `replaced with ${req.method}`;
}
