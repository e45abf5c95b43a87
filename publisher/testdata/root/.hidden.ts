import { SECRET } from "./_secret_text.ts";
export function index(): string {
  return SECRET;
}
