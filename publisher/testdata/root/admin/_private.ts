import { SECRET } from "../_secret_text.ts";
export function leak(): string {
  return SECRET;
}
export function index(): string {
  return SECRET;
}
