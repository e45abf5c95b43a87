// Copyright 2025 the pubkit authors. MIT license.
// Helpers for the HTTP tests: a served manager, server processes, and a client.

import type { SessionManager } from "../session_manager.ts";
import { counterHandler } from "./counter_app.ts";

export interface Served extends AsyncDisposable {
  base: string;
}

/** Serves the counter app for `manager` on 127.0.0.1. */
export function serve(manager: SessionManager): Served {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    counterHandler(manager),
  );
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

export interface ServerProcess extends AsyncDisposable {
  base: string;
  child: Deno.ChildProcess;
}

/** Starts testdata/race_server.ts with `args` and waits until it listens. */
export async function spawnServer(args: string[]): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./race_server.ts", import.meta.url).pathname, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("Cannot start race_server.ts: it exited before listening");
    text += value;
  }
  const { port } = JSON.parse(text.split("\n")[0]!);
  // Drain the rest of stdout so the child never blocks on it.
  const drained = (async () => {
    while (!(await reader.read()).done);
  })();
  let closed: Promise<void> | undefined;
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    [Symbol.asyncDispose]: () =>
      closed ??= (async () => {
        await child.stdin.close().catch(() => {});
        await child.status;
        await drained;
      })(),
  };
}

/** GET `url` with `cookie`; returns status, JSON body and Set-Cookie. */
export async function get(
  url: string,
  cookie?: string,
): Promise<{ status: number; body: { n: number; id: string } | string; setCookie?: string }> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {} });
  const text = await response.text();
  return {
    status: response.status,
    body: response.ok ? JSON.parse(text) : text,
    setCookie: response.headers.get("set-cookie") ?? undefined,
  };
}

/** Creates a session through `base` and returns its request Cookie header value. */
export async function newSession(base: string): Promise<string> {
  const { setCookie } = await get(`${base}/count`);
  if (!setCookie) throw new Error("Cannot create session: no Set-Cookie");
  return setCookie.split(";")[0]!;
}

/** Sends `count` concurrent /count requests spread over `bases`; returns statuses. */
export async function race(
  bases: string[],
  cookie: string,
  count: number,
  query = "",
): Promise<number[]> {
  return await Promise.all(
    Array.from(
      { length: count },
      (_, i) => get(`${bases[i % bases.length]}/count${query}`, cookie).then((r) => r.status),
    ),
  );
}
