import { HttpError } from "@pubkit/request";

export function fail(): never {
  throw new Error("db <down>");
}

export function missing(): never {
  throw new HttpError(404, "No such note");
}
