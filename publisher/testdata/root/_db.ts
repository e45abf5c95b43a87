import { SECRET } from "./_secret_text.ts";

export function query(): string {
  return SECRET;
}
export const connection = { password: SECRET };
