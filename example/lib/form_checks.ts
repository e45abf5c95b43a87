/** Field checks with messages a person can act on. */
import { HttpError } from "@pubkit/request";

const characters = (n: number) => `${n} character${n === 1 ? "" : "s"}`;

function within(text: string, field: string, min: number, max: number): string {
  if (text.length < min) {
    throw new HttpError(400, `Cannot accept ${field}: it must have at least ${characters(min)}`);
  }
  if (text.length > max) {
    throw new HttpError(400, `Cannot accept ${field}: it must have at most ${characters(max)}`);
  }
  return text;
}

/** A trimmed text field between `min` and `max` characters, or a 400 naming the field. */
export function text(value: unknown, field: string, min: number, max: number): string {
  return within(typeof value === "string" ? value.trim() : "", field, min, max);
}

/**
 * A password of 8–200 characters, kept exactly as typed: spaces at either end are part of it
 * (trimming at sign-up but not at log-in would lock such a password out).
 */
export function password(value: unknown): string {
  return within(typeof value === "string" ? value : "", "the password", 8, 200);
}

/** A user name: 3–32 letters, digits, `_` or `-`. */
export function userName(value: unknown): string {
  const name = text(value, "the user name", 3, 32);
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new HttpError(400, "Cannot accept the user name: use letters, digits, _ and - only");
  }
  return name;
}
