export function index(): string {
  return "a/b/index.ts#index (shadowed by a/b.ts)";
}
export function e(): string {
  return "a/b/index.ts#e";
}
