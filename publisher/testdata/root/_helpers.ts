import { SECRET } from "./_secret_text.ts";

/** A helper: private because its file starts with `_`. */
export function helper(): string {
  return SECRET;
}

/** Re-exported by name from index.ts, so published there (the README warns about this). */
export function shout(_req: unknown, { word = "hey" }: { word?: string }): string {
  return word.toUpperCase();
}
