// Copyright 2025 the pubkit authors. MIT license.
// `deno run -A save_loop.ts <dir>`: saves new sessions into a FileStore at <dir> without end,
// eight at a time, until it is killed. Prints "saving" once the first batch is written.
import { newId } from "../_ids.ts";
import { FileStore } from "../file_store.ts";

const store = new FileStore({ dir: Deno.args[0]!, sweepInterval: 0 });
const data = { blob: "x".repeat(64 * 1024) };
const batch = () => {
  const now = Date.now();
  const record = { data, created: now, lastAccessed: now, expires: now + 60_000 };
  return Promise.all(Array.from({ length: 8 }, () => store.save(newId(), record)));
};
await batch();
console.log("saving");
for (;;) await batch();
