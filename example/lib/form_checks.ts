/** Field checks with messages a person can act on. */
import { HttpError } from "@pubkit/request";

const characters = (n: number) => `${n} character${n === 1 ? "" : "s"}`;

/** A trimmed text field between `min` and `max` characters, or a 400 naming the field. */
export function text(value: unknown, field: string, min: number, max: number): string {
  const text = typeof value === "string" ? value.trim() : "";
  if (text.length < min) {
    throw new HttpError(400, `Cannot accept ${field}: it must have at least ${characters(min)}`);
  }
  if (text.length > max) {
    throw new HttpError(400, `Cannot accept ${field}: it must have at most ${characters(max)}`);
  }
  return text;
}

/** A user name: 3–32 letters, digits, `_` or `-`. */
export function userName(value: unknown): string {
  const name = text(value, "the user name", 3, 32);
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new HttpError(400, "Cannot accept the user name: use letters, digits, _ and - only");
  }
  return name;
}
