import { publish } from "@pubkit/publisher";
import type { Req } from "@pubkit/request";
import { SECRET } from "./_secret_text.ts";

export { shout } from "./_helpers.ts";
export * as db from "./_db.ts";

export function index(): string {
  return "<h1>Home</h1>";
}

export function hello(_req: Req, { name = "world" }: { name?: string }): string {
  return `Hello, ${name}`;
}

export async function slow(_req: Req, { name = "async" }: { name?: string }): Promise<string> {
  await Promise.resolve();
  return `slow ${name}`;
}

export function _secret(): string {
  return SECRET;
}

export const config = { secret: SECRET, port: 8000 };
export const version = "1.0";

export class Widget {
  static make(): string {
    return SECRET;
  }
}

export const Gadget = class {
  constructor() {
    throw new Error(SECRET);
  }
};

export default function (): string {
  return SECRET;
}

const hiddenSymbol = Symbol("hidden");

export const api = {
  list(): string[] {
    return ["a", "b"];
  },
  echo: (_req: Req, fields: Record<string, unknown>) => ({ got: fields }),
  _private(): string {
    return SECRET;
  },
  get computed(): () => string {
    return () => SECRET;
  },
  nested: { deeper: () => SECRET },
  Klass: class {
    constructor() {
      throw new Error(SECRET);
    }
  },
  toString: () => SECRET,
  constructor: () => SECRET,
  [hiddenSymbol]: () => SECRET,
};
Object.defineProperty(api, "invisible", { value: () => SECRET, enumerable: false });

export const nullProto = Object.assign(Object.create(null), { ping: () => "pong" });

class Service {
  run(): string {
    return SECRET;
  }
}
export const service = new Service();

export const inherits = Object.create({ inherited: () => SECRET });

export function withProps(): string {
  return "function itself";
}
withProps.attached = () => SECRET;

export const info = publish({ pathInfo: true }, (_req, _fields, { pathInfo }) => ({ pathInfo }));
