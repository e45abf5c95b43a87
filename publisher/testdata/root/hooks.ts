import { publish } from "@pubkit/publisher";
import type { Req } from "@pubkit/request";

export const _auth = (req: Req) => {
  const token = req.headers.get("x-token");
  return token === "t-alice" ? "alice" : token === "t-bob" ? "bob" : false;
};
export const _realm = "Hooks";
export const _access = (_req: Req, user: string | undefined) => user === "alice" || user === "bob";

export function open(_req: Req, _fields: unknown, context: { user?: string }): string {
  return `hello ${context.user}`;
}

export const aliceOnly = publish(
  { access: ["alice"] },
  (_req, _fields, { user }) => `only ${user}`,
);

export const loginRequired = publish(
  {
    auth: false,
    access: false,
    guard: (req: Req) =>
      req.headers.get("cookie")?.includes("session=ok") ? undefined : req.redirect("/login", 303),
  },
  () => "members area",
);

export const denied = publish({ guard: () => false }, () => "never");

export const basic = publish(
  { auth: { ["__proto__"]: "proto", dave: "pässword" }, realm: "Basic here", access: false },
  (_req, _fields, { user }) => `basic ${user}`,
);

export const putOnly = publish({ methods: ["PUT"], auth: false, access: false }, () => "put");
