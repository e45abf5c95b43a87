// Hono's hello, for bench/cold_start.ts. Serve: PORT=<n> deno run -A bench/cold_start/hono.ts
import { Hono } from "hono";

const app = new Hono();
app.get("/hello", (c) => c.text("Hello, World!"));
Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT")), onListen() {} }, app.fetch);
