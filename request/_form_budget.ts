// Internal: the running counts shared by the query, urlencoded and multipart parsers of one
// form, so that limits such as `maxFields` hold across the query string and the body together.
import { Fields, type FieldValue } from "./fields.ts";
import type { FormLimits } from "./form_limits.ts";
import { HttpError } from "./http_error.ts";

/** A 413 that names the limit passed. */
export function limitError(what: string, limit: number, key: keyof FormLimits): HttpError {
  return new HttpError(
    413,
    `Cannot parse form: ${what} exceeds the limit of ${limit} (${key})`,
  );
}

/** A 400 for a malformed form. */
export function malformedError(problem: string, cause?: unknown): HttpError {
  return new HttpError(400, `Cannot parse form: ${problem}`, { cause });
}

/** Quotes a client-supplied name for a message, short and without control characters. */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
}

/** Collects the fields of one form and enforces the count and name limits. */
export class FormBudget {
  readonly limits: Readonly<FormLimits>;
  readonly #entries: [string, FieldValue][] = [];
  #fields = 0;
  #files = 0;

  constructor(limits: Readonly<FormLimits>) {
    this.limits = limits;
  }

  /** Call when a field starts, before reading its value. */
  admit(nameBytes: number, isFile: boolean): void {
    if (++this.#fields > this.limits.maxFields) {
      throw limitError("the number of fields", this.limits.maxFields, "maxFields");
    }
    if (isFile && ++this.#files > this.limits.maxFiles) {
      throw limitError("the number of files", this.limits.maxFiles, "maxFiles");
    }
    if (nameBytes > this.limits.maxFieldNameBytes) {
      throw limitError(
        `a field name of ${nameBytes} bytes`,
        this.limits.maxFieldNameBytes,
        "maxFieldNameBytes",
      );
    }
  }

  add(name: string, value: FieldValue): void {
    this.#entries.push([name, value]);
  }

  toFields(): Fields {
    return new Fields(this.#entries);
  }
}
