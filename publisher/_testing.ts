/**
 * Test helpers: a temporary copy of the fixture root with symlinks that leave it, and an
 * in-test dispatcher that maps `HttpError` like the server does.
 *
 * @module
 */
import { HttpError, Req } from "@pubkit/request";
import { errorResponseHeaders } from "@pubkit/request/internal";
import { join } from "node:path";
import type { Publisher } from "./publisher.ts";

/** The text every unpublished fixture function returns. */
export const SECRET = "TOP-SECRET-7f3a";

/** Every function of the fixture root that may answer, as `module#name`. */
export const PUBLISHED: ReadonlySet<string> = new Set([
  "index.ts#index",
  "index.ts#hello",
  "index.ts#slow",
  "index.ts#shout",
  "index.ts#withProps",
  "index.ts#info",
  "index.ts#api.list",
  "index.ts#api.echo",
  "index.ts#nullProto.ping",
  ...[
    "html",
    "text",
    "typed",
    "bytes",
    "buffer",
    "typedBytes",
    "stream",
    "iterable",
    "response",
    "object",
    "array",
    "nothing",
    "written",
    "statusOnly",
    "notFound",
    "teapot",
  ].map((name) => `conversions.ts#${name}`),
  ...["signup", "search", "injected", "subscribe", "even", "queryOnly"].map((name) =>
    `forms.ts#${name}`
  ),
  ...["open", "aliceOnly", "loginRequired", "denied", "basic", "putOnly"].map((name) =>
    `hooks.ts#${name}`
  ),
  "admin/index.ts#index",
  "admin/index.ts#whoami",
  "admin/index.ts#replace",
  "admin/reports/daily.ts#index",
  "a/b.ts#c",
  "a/b.ts#index",
  "a/b.ts#shelf.index",
  "a/b.ts#shelf.item",
  "a/b/c.ts#index",
  "a/b/c.ts#d",
  "a/b/index.ts#e",
]);

/** A temporary copy of `testdata/root`. */
export interface Fixture extends AsyncDisposable {
  /** The copy. */
  readonly root: string;
  /** A directory outside the root that symlinks point to. */
  readonly outside: string;
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) await copyDir(source, target);
    else await Deno.copyFile(source, target);
  }
}

/**
 * Copies the fixture root to a temporary directory and adds the symlinks git does not hold
 * well: `escape/` and `evil.ts` point out of the root, `inner.ts` points at `_helpers.ts`.
 *
 * @returns The fixture; dispose it to delete both directories.
 */
export async function fixture(): Promise<Fixture> {
  const base = await Deno.makeTempDir({ prefix: "pubkit-publisher-" });
  const root = join(base, "root");
  const outside = join(base, "outside");
  await copyDir(new URL("./testdata/root", import.meta.url).pathname, root);
  await Deno.mkdir(outside);
  const evil =
    `export function index() { return "${SECRET}"; }\nexport function hello() { return "${SECRET}"; }\n`;
  await Deno.writeTextFile(join(outside, "evil.ts"), evil);
  await Deno.writeTextFile(join(outside, "index.ts"), evil);
  await Deno.symlink(outside, join(root, "escape"));
  await Deno.symlink(join(outside, "evil.ts"), join(root, "evil.ts"));
  await Deno.symlink(join(root, "_helpers.ts"), join(root, "inner.ts"));
  await Deno.symlink(join(root, "_internal"), join(root, "internal"));
  return {
    root,
    outside,
    async [Symbol.asyncDispose]() {
      await Deno.remove(base, { recursive: true });
    },
  };
}

/**
 * Dispatches a request through the publisher as the server will: a thrown `HttpError` becomes
 * its status, its message as a text body, and its headers plus the request's error headers.
 *
 * @param publisher The publisher.
 * @param request The request, or a path on `http://localhost`.
 * @param init Request options when `request` is a path.
 * @returns The response.
 */
export async function dispatch(
  publisher: Publisher,
  request: Request | string,
  init?: RequestInit,
): Promise<Response> {
  const req = new Req(
    typeof request === "string" ? new Request(`http://localhost${request}`, init) : request,
  );
  try {
    return await publisher.handle(req);
  } catch (error) {
    if (!(error instanceof HttpError)) {
      return new Response("Internal Server Error", { status: 500 });
    }
    const headers = errorResponseHeaders(req);
    for (const [name, value] of error.headers) headers.set(name, value);
    headers.set("content-type", "text/plain;charset=UTF-8");
    return new Response(error.message, { status: error.status, headers });
  }
}

/**
 * Dispatches and reads the body.
 *
 * @param publisher The publisher.
 * @param request The request or path.
 * @param init Request options.
 * @returns Status, headers and body text.
 */
export async function fetchText(
  publisher: Publisher,
  request: Request | string,
  init?: RequestInit,
): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await dispatch(publisher, request, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}
