// @pubkit/publisher on the hot path: resolving a 4-segment URL to its exported function, against
// a Map lookup of the pathname (what a hand-written router does at best).
// Run alone: deno run -A bench/publisher_bench.ts
import { bench, do_not_optimize, group } from "mitata";
import { Publisher } from "@pubkit/publisher";
import { SITE } from "./_page.ts";
import { runBenches, type Target } from "./_run.ts";

const publisher = await Publisher.create({ root: SITE });
const PATH = "/shop/cart/items/add";
const routes = new Map<string, () => string>();
for (const path of ["/", "/hello", "/page", PATH, "/shop/cart/items/remove", "/blog"]) {
  routes.set(path, () => path);
}
if (publisher.resolve(PATH)?.name !== "add") throw new Error(`Cannot resolve ${PATH}`);

group("resolve a 4-segment URL", () => {
  bench("Map.get(pathname)", () => do_not_optimize(routes.get(PATH))).baseline();
  bench("publisher.resolve(pathname)", () => do_not_optimize(publisher.resolve(PATH)));
  bench("new URL(url).pathname + Map.get", () => {
    do_not_optimize(routes.get(new URL(`http://localhost${PATH}?x=1`).pathname));
  });
});

/** No issue-10 target is stated for resolution alone; it is part of the hello target. */
export const targets: Target[] = [];

if (import.meta.main) await runBenches("@pubkit/publisher", targets, () => publisher.close());
