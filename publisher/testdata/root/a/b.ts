export function c(): string {
  return "a/b.ts#c";
}
export function index(): string {
  return "a/b.ts#index";
}
// An object with an `index`: `/a/b/shelf` calls it, as mod_python called a callable instance.
export const shelf = {
  index: (): string => "a/b.ts#shelf.index",
  item: (): string => "a/b.ts#shelf.item",
};
