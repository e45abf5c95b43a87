// The handlers of mod_python's test/htdocs/tests.py that apply outside Apache, rewritten as
// published functions (mod_python is Apache License 2.0; see docs/MODPYTHON.md). Each keeps the
// name of the handler it ports; `/tests/<name>` reaches it as `/tests.py` did.
import { type CallContext, publish } from "@pubkit/publisher";
import type { Req } from "@pubkit/request";
import type { AppReq } from "@pubkit/server";
import { errorLog } from "./_log.ts";

let imported = false;
/** mod_python's `PythonImport dummymodule`: start-up work, before the first request. */
export function _startup(): void {
  imported = true;
}

export function import_test(_req: Req): string {
  return imported ? "test ok" : "test failed";
}

export const req_allow_methods = publish({ methods: ["MKWORKSPACE"] }, () => "never");

export async function req_internal_redirect(req: Req): Promise<Response> {
  return await req.internalRedirect("/tests/req_internal_redirect_int");
}

export async function req_internal_redirect_int(req: Req): Promise<void> {
  await req.prev!.write("test ");
  await req.write("ok");
}

export function req_construct_url(req: Req): string {
  const url = new URL("/index.html", req.url).href;
  return /^http:\/\/127\.0\.0\.1:[0-9]+\/index\.html$/.test(url) ? "test ok" : "test failed";
}

export async function req_read(req: Req): Promise<void> {
  await req.write(await req.reader().read());
}

export async function req_readline(req: Req): Promise<void> {
  const reader = req.reader();
  for (let line = await reader.readLine(); line.length > 0; line = await reader.readLine()) {
    await req.write(line);
  }
}

export async function req_readlines(req: Req): Promise<void> {
  const hint = req.headers.get("sizehint");
  const lines = await req.reader().readLines(hint === null ? undefined : Number(hint));
  for (const line of lines) await req.write(line);
}

export async function req_discard_request_body(req: Req): Promise<string> {
  const reader = req.reader();
  const first = new TextDecoder().decode(await reader.read(10));
  if (first !== "1234567890") return "test failed";
  await reader.discard();
  if ((await reader.read()).length > 0) return "test failed";
  return "test ok";
}

export function req_register_cleanup(req: Req): string {
  req.registerCleanup(() => void errorLog.push("req_register_cleanup test ok"));
  return "registered cleanup that will write to log";
}

export function srv_register_cleanup(req: AppReq): string {
  req.server.registerCleanup(() => void errorLog.push("srv_register_cleanup test ok"));
  return "registered server cleanup that will write to log";
}

export function req_headers_out(req: Req): string {
  req.responseHeaders.set("X-Test-Header", "test ok");
  return "test ok";
}

async function tempFile(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: "txt" });
  await Deno.writeTextFile(path, text);
  return path;
}

export async function req_sendfile(req: Req): Promise<Response> {
  const path = await tempFile("  test ok  ");
  req.registerCleanup(() => Deno.remove(path));
  return req.sendFile(path, { offset: 2, length: 7 });
}

export async function req_sendfile2(req: Req): Promise<Response> {
  const path = await tempFile("0123456789".repeat(100));
  req.registerCleanup(() => Deno.remove(path));
  return req.sendFile(path);
}

export async function req_sendfile3(req: Req): Promise<Response> {
  const path = await tempFile("0123456789".repeat(100));
  await Deno.symlink(path, `${path}.lnk`);
  req.registerCleanup(async () => {
    await Deno.remove(`${path}.lnk`);
    await Deno.remove(path);
  });
  return req.sendFile(`${path}.lnk`);
}

export function req_no_cache(req: Req): string {
  req.noCache();
  return "test ok";
}

export function req_update_mtime(req: Req): string {
  const before = req.mtime;
  req.updateMtime(new Date(100_000));
  if (before !== undefined || req.mtime?.getTime() !== 100_000) return "test failed";
  req.setEtag();
  req.setLastModified();
  return "test ok";
}

export function util_redirect(req: Req): Response {
  return req.redirect("/dummy", { text: "test ok" });
}

export function req_server_get_options(_req: Req, _fields: unknown, context: CallContext): string {
  const options = context.route.scope.settings;
  return options.global === "1" && options.override === "1" ? "test ok" : "test failed";
}

export async function fileupload(req: Req): Promise<string> {
  const file = (await req.form()).get("testfile");
  if (!(file instanceof File)) return "test failed: no file";
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function util_fieldstorage(req: Req): Promise<unknown> {
  return [...(await req.form())].map(([name, value]) => [name, String(value)]);
}

export function Cookie_Cookie(req: Req): string {
  for (const [name, value] of Object.entries(req.cookies)) req.setCookie(name, value);
  return "test ok";
}

export const none_handler = null;

export function index(_req: Req): string {
  return "test ok";
}

export function test_publisher(_req: Req): string {
  return "test ok";
}

// `__auth__` and `__access__` nested in the function become its publish() options.
const notes = new WeakMap<Req, Set<string>>();
const nestedHooks = {
  realm: "nested",
  auth: (req: Req, credentials?: { user: string; password: string }) => {
    notes.set(req, new Set(["auth_called"]));
    return credentials?.user === "spam" && credentials.password === "eggs";
  },
  access: (req: Req) => (notes.get(req)?.add("access_called"), true),
};

function nestedPage(req: Req): string {
  const called = notes.get(req);
  return called?.has("auth_called") && called.has("access_called") ? "test ok" : "test failed";
}

export const test_publisher_auth_nested = publish(nestedHooks, nestedPage);

export const test_publisher_auth_method_nested = { method: publish(nestedHooks, nestedPage) };

// Instances become plain objects: `index` is the call (`__call__`), members are the methods.
export const old_instance = {
  index: () => "test callable old-style instance ok",
  traverse: () => "test traversable old-style instance ok",
};

export const instance = {
  index: () => "test callable instance ok",
  traverse: () => "test traversable instance ok",
};

export const hierarchy_root = {
  index: () => "Called root",
  page1: () => "Called page1",
  page2: () => "Called page2",
};

export const hierarchy_root_2 = { index, page1: index, page2: index };

// What test_publisher_security asks for: none of it may be reachable.
export const _SECRET_PASSWORD = "root";
export const __ANSWER = 42;
export * as re from "./_log.ts";
export class OldStyleClassTest {
  traverse(): string {
    return "never";
  }
}
export class InstanceTest extends OldStyleClassTest {}
export const test_dict = { 1: 1, 2: 2, 3: 3 };
export const test_dict_keys = Object.keys;

const testMap = new Map([[1, 1], [2, 2], [3, 3]]);

export function test_dict_iteration(_req: Req): Iterable<number> {
  return testMap.keys();
}

export function* test_generator(_req: Req): Generator<number> {
  for (let c = 0; c < 10; c++) yield c;
}

export function test_set(_req: Req): Set<number> {
  return new Set([1, 2, 3]);
}
