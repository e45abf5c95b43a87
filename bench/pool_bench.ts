/**
 * acquire + release of one idle resource: @pubkit/pool vs generic-pool vs tarn, on the same
 * trivial factory. Run: `deno run -A bench/pool_bench.ts`.
 */
import { bench, group, run, summary } from "mitata";
import genericPool from "generic-pool";
import tarn from "tarn";
import { Pool } from "@pubkit/pool";

const make = () => Promise.resolve({ n: 0 });

const pubkit = new Pool({ create: make, destroy() {} }, { max: 10 });
const generic = genericPool.createPool({ create: make, destroy: () => Promise.resolve() }, {
  max: 10,
  min: 0,
});
const tarnPool = new tarn.Pool<{ n: number }>({ create: make, destroy() {}, min: 0, max: 10 });

// Warm each pool so every benchmarked acquire finds an idle resource.
(await pubkit.acquire()).release();
await generic.release(await generic.acquire());
tarnPool.release(await tarnPool.acquire().promise);

summary(() => {
  group("acquire + release (idle resource, no contention)", () => {
    bench("@pubkit/pool", async () => {
      const lease = await pubkit.acquire();
      lease.resource.n++;
      lease.release();
    }).baseline(true);
    bench("generic-pool", async () => {
      const r = await generic.acquire();
      r.n++;
      await generic.release(r);
    });
    bench("tarn", async () => {
      const r = await tarnPool.acquire().promise;
      r.n++;
      tarnPool.release(r);
    });
  });
});

await run();
await pubkit.close();
await generic.drain();
await generic.clear();
await tarnPool.destroy();
