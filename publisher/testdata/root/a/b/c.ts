export function index(): string {
  return "a/b/c.ts#index";
}
export function d(): string {
  return "a/b/c.ts#d";
}
