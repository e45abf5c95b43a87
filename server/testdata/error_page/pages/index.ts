export function fail(): never {
  throw new Error("no page here");
}
