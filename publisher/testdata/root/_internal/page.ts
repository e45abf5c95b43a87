import { SECRET } from "../_secret_text.ts";
export function index(): string {
  return SECRET;
}
export function show(): string {
  return SECRET;
}
