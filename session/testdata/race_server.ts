// Copyright 2025 the pubkit authors. MIT license.
// A counter server for the cross-process tests. Usage:
//   deno run -A race_server.ts file <dir>
//   deno run -A race_server.ts redis <url> <prefix> <leaseTtl>
// Prints {"port": N} once listening; exits cleanly when its stdin closes.

import { FileStore } from "../file_store.ts";
import { RedisStore } from "../redis_store.ts";
import { SessionManager } from "../session_manager.ts";
import type { SessionStore } from "../session_store.ts";
import { counterHandler, SECRET } from "./counter_app.ts";

const [kind, target, prefix, leaseTtl] = Deno.args;
const store: SessionStore = kind === "file"
  ? new FileStore({ dir: target!, fsync: false })
  : new RedisStore({ url: target!, prefix, leaseTtl: Number(leaseTtl ?? 10_000), log() {} });
const manager = new SessionManager({ store, secrets: [SECRET], lockTimeout: 30_000 });
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen({ port }) {
    console.log(JSON.stringify({ port }));
  },
}, counterHandler(manager));

// Exit when the parent closes our stdin.
for await (const _ of Deno.stdin.readable);
await server.shutdown();
await manager.close();
