/**
 * @pubkit/pool vs generic-pool vs tarn on the same trivial factory, each with 10 resources:
 * acquire + release of an idle resource (no contention), and 100 concurrent acquirers sharing
 * the 10 resources (an iteration is 100 acquire + release; divide by 100 for one operation).
 * Run: `deno run -A bench/pool_bench.ts`.
 */
import { bench, group, run, summary } from "mitata";
import genericPool from "generic-pool";
import tarn from "tarn";
import { Pool } from "@pubkit/pool";

const MAX = 10;
const ACQUIRERS = 100;
const make = () => Promise.resolve({ n: 0 });

const pubkit = new Pool({ create: make, destroy() {} }, { max: MAX });
const generic = genericPool.createPool({ create: make, destroy: () => Promise.resolve() }, {
  max: MAX,
  min: 0,
});
const tarnPool = new tarn.Pool<{ n: number }>({ create: make, destroy() {}, min: 0, max: MAX });

/** Runs `ACQUIRERS` concurrent acquire + release of `once` and waits for all of them. */
function contended(once: () => Promise<void>): Promise<void[]> {
  const all: Promise<void>[] = new Array(ACQUIRERS);
  for (let i = 0; i < ACQUIRERS; i++) all[i] = once();
  return Promise.all(all);
}

async function pubkitOnce(): Promise<void> {
  const lease = await pubkit.acquire();
  lease.resource.n++;
  lease.release();
}
async function genericOnce(): Promise<void> {
  const r = await generic.acquire();
  r.n++;
  await generic.release(r);
}
async function tarnOnce(): Promise<void> {
  const r = await tarnPool.acquire().promise;
  r.n++;
  tarnPool.release(r);
}

// Warm each pool to MAX resources so that no benchmarked acquire creates one.
await contended(pubkitOnce);
await contended(genericOnce);
await contended(tarnOnce);

summary(() => {
  group("acquire + release (idle resource, no contention)", () => {
    bench("@pubkit/pool", pubkitOnce).baseline(true);
    bench("generic-pool", genericOnce);
    bench("tarn", tarnOnce);
  });
});

summary(() => {
  group(
    `${ACQUIRERS} concurrent acquirers on ${MAX} resources (per iteration: ${ACQUIRERS} ops)`,
    () => {
      bench("@pubkit/pool", () => contended(pubkitOnce)).baseline(true);
      bench("generic-pool", () => contended(genericOnce));
      bench("tarn", () => contended(tarnOnce));
    },
  );
});

await run();
await pubkit.close();
await generic.drain();
await generic.clear();
await tarnPool.destroy();
