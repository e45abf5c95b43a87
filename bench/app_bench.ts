// The whole request in process: app.fetch() of pubkit against the same hello and realistic page
// written on raw Deno.serve and on Hono (the stacks of bench/servers/). Returning visitors
// cycle through 64 sessions, as the HTTP load does, so that one request's session is released
// (after its response) before that session comes again.
// Run alone: deno run -A bench/app_bench.ts
import { bench, do_not_optimize, group } from "mitata";
import { createDatabase } from "./_page.ts";
import { runBenches, type Target } from "./_run.ts";
import type { Stack } from "./servers/_serve.ts";
import { rawStack } from "./servers/raw.ts";
import { honoStack } from "./servers/hono.ts";
import { pubkitStack } from "./servers/pubkit.ts";

const dir = await Deno.makeTempDir({ prefix: "pubkit-bench-" });
const db = createDatabase(dir);
const stacks: Record<string, Stack> = {
  "raw Deno.serve handler": rawStack(db),
  "Hono app.fetch": honoStack(db),
  "pubkit app.fetch": await pubkitStack(db),
};

/** What Deno.serve passes as the handler's second argument. */
function info(): Deno.ServeHandlerInfo {
  return {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
    completed: Promise.resolve(),
  };
}

async function get(stack: Stack, path: string, cookie?: string): Promise<Response> {
  // Deno.serve always passes the Host header a client sent (pubkit answers 400 without one).
  const headers: Record<string, string> = { host: "localhost" };
  if (cookie !== undefined) headers.cookie = cookie;
  const response = await stack.fetch(new Request(`http://localhost${path}`, { headers }), info());
  if (response.status !== 200) throw new Error(`Cannot GET ${path}: ${response.status}`);
  return response;
}

/** Cookies of `n` sessions that `stack` has already seen once. */
async function sessions(stack: Stack, n: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let i = 0; i < n; i++) {
    const response = await get(stack, "/page");
    await response.body?.cancel();
    cookies.push(response.headers.get("set-cookie")!.split(";")[0]!);
  }
  return cookies;
}

const cookies = new Map<Stack, string[]>();
for (const stack of Object.values(stacks)) cookies.set(stack, await sessions(stack, 64));

group("hello", () => {
  for (const [name, stack] of Object.entries(stacks)) {
    bench(name, async () => do_not_optimize(await (await get(stack, "/hello")).text()));
  }
});

// The handlers' own work: one request made once (a GET without body can be handled again), so
// that building a Request per call (which costs more than a hello handler) is left out.
group("hello, one reused request", () => {
  const request = new Request("http://localhost/hello", { headers: { host: "localhost" } });
  const connection = info();
  for (const [name, stack] of Object.entries(stacks)) {
    bench(name, () => do_not_optimize(stack.fetch(request, connection)));
  }
});

group("page, returning visitor", () => {
  for (const [name, stack] of Object.entries(stacks)) {
    const jar = cookies.get(stack)!;
    let i = 0;
    bench(name, async () => {
      const response = await get(stack, "/page", jar[i++ % jar.length]);
      do_not_optimize(await response.text());
    });
  }
});

group("page, new visitor", () => {
  for (const [name, stack] of Object.entries(stacks)) {
    bench(name, async () => do_not_optimize(await (await get(stack, "/page")).text()));
  }
});

/** The issue-10 ratios, here in process (the HTTP load measures them as server CPU). */
export const targets: Target[] = [
  { label: "hello ≤ 1.15× raw (in process)", group: "hello", name: "pubkit app.fetch", max: 1.15 },
  {
    label: "page, returning ≤ 1.5× hand-written (in process)",
    group: "page, returning visitor",
    name: "pubkit app.fetch",
    max: 1.5,
  },
  {
    label: "page, new ≤ 1.5× hand-written (in process)",
    group: "page, new visitor",
    name: "pubkit app.fetch",
    max: 1.5,
  },
];

async function cleanup(): Promise<void> {
  for (const stack of Object.values(stacks)) await stack.close();
  await Deno.remove(dir, { recursive: true });
}

if (import.meta.main) await runBenches("in process: app.fetch()", targets, cleanup);
