// A published-hello app, as a user writes it: bench/cold_start.ts times it from start to its
// first 200 on /hello. Serve: PORT=<n> deno run -A bench/cold_start/pubkit.ts
import { createApp } from "@pubkit/server";

const app = createApp({
  publish: { root: new URL("./pages/", import.meta.url) },
  accessLog: false,
});
await app.serve({ port: Number(Deno.env.get("PORT")), onListen: () => {} });
