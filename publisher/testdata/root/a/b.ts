export function c(): string {
  return "a/b.ts#c";
}
export function index(): string {
  return "a/b.ts#index";
}
