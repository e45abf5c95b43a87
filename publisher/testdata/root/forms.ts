import { publish } from "@pubkit/publisher";
import type { Req } from "@pubkit/request";

export const signup = publish(
  {
    methods: ["POST"],
    fields: { name: "string", age: "int", score: "number?", agree: "boolean", tags: "string[]" },
  },
  (_req, { name, age, score, agree, tags }) => ({ name, age, score: score ?? null, agree, tags }),
);

export const search = publish(
  { methods: ["GET"], fields: { q: "string?", page: { type: "int", optional: true } } },
  (_req, { q = "", page = 1 }) => `q=${q} page=${page}`,
);

export const injected = (req: Req, fields: Record<string, unknown>) => ({
  reqIsReq: typeof req.form === "function",
  method: req.method,
  fields,
});

/** A hand-written Standard Schema for the whole form. */
const wholeSchema = {
  "~standard": {
    version: 1 as const,
    vendor: "test",
    validate(value: unknown) {
      const record = value as Record<string, unknown>;
      const issues = [];
      if (typeof record.email !== "string" || !record.email.includes("@")) {
        issues.push({ message: "must be an email address", path: ["email"] });
      }
      if (record.code !== "42") issues.push({ message: "is wrong", path: [{ key: "code" }] });
      return issues.length > 0
        ? { issues }
        : { value: { email: (record.email as string).toLowerCase(), code: 42 } };
    },
    types: undefined as unknown as { input: unknown; output: { email: string; code: number } },
  },
};

export const subscribe = publish(
  { fields: wholeSchema },
  (_req, { email, code }) => `${email} ${code}`,
);

/** An async per-field Standard Schema. */
const evenSchema = {
  "~standard": {
    version: 1 as const,
    vendor: "test",
    async validate(value: unknown) {
      await Promise.resolve();
      const n = Number(value);
      return Number.isInteger(n) && n % 2 === 0
        ? { value: n }
        : { issues: [{ message: "must be even" }] };
    },
    types: undefined as unknown as { input: unknown; output: number },
  },
};

export const even = publish({ fields: { n: evenSchema } }, (_req, { n }) => ({ half: n / 2 }));

export const queryOnly = publish({ form: false }, (_req, fields) => ({ fields }));
