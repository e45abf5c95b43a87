import { HttpError, type Req } from "@pubkit/request";

export const html = () => "  \n<p>fragment</p>";
export const text = () => "plain words";
export const typed = (req: Req) => {
  req.contentType = "text/csv; charset=utf-8";
  return "a,b\n1,2";
};
export const bytes = () => new Uint8Array([1, 2, 3]);
export const buffer = () => new Uint8Array([4, 5]).buffer;
export const typedBytes = (req: Req) => {
  req.contentType = "image/png";
  return new Uint8Array([137, 80]);
};
export const stream = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("one "));
      controller.enqueue(new TextEncoder().encode("two"));
      controller.close();
    },
  });
export async function* iterable() {
  yield "x";
  yield new TextEncoder().encode("y");
  yield "z";
}
export const response = () => new Response("made", { status: 201, headers: { "x-made": "1" } });
export const object = () => ({ a: 1, nested: { b: [true, null] } });
export const array = () => [1, "two"];
export const nothing = () => undefined;
export async function written(req: Req) {
  req.status = 202;
  await req.write("chunk1 ");
  await req.write("chunk2");
}
export const statusOnly = (req: Req) => {
  req.status = 201;
};
export const notFound = () => {
  throw new Error("not an HttpError");
};
export const teapot = (req: Req) => {
  req.errorHeaders.set("x-error-header", "kept");
  throw new HttpError(418, "short and stout", { headers: { "x-teapot": "1" } });
};
