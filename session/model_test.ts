// Copyright 2025 the pubkit authors. MIT license.
// Random create/get/set/destroy/regenerate/expire sequences against a Map model.

import assert from "node:assert/strict";
import fc from "fast-check";
import { FileStore } from "./file_store.ts";
import { MemoryStore } from "./memory_store.ts";
import { RedisStore } from "./redis_store.ts";
import type { SessionCookie } from "./session.ts";
import { SessionManager } from "./session_manager.ts";
import type { SessionStore } from "./session_store.ts";
import { FakeClock } from "./testing.ts";

const IDLE = 1000;
const ABSOLUTE = 5000;
const SECRET = "model test secret, long enough for HMAC-SHA256";
const redisUrl = Deno.env.get("REDIS_URL");
if (!redisUrl) console.log("model_test.ts: REDIS_URL is unset, skipping the RedisStore model");

interface Live {
  data: Map<string, number>;
  created: number;
  last: number;
}
interface Model {
  now: number;
  /** One browser cookie jar per slot, and what the server should hold for it. */
  slots: { live?: Live }[];
}
interface Real {
  clock: FakeClock;
  manager: SessionManager;
  cookies: (string | undefined)[];
}

function alive(model: Model, slot: number): Live | undefined {
  const live = model.slots[slot]!.live;
  if (!live) return undefined;
  if (model.now >= live.last + IDLE || model.now >= live.created + ABSOLUTE) {
    model.slots[slot]!.live = undefined;
    return undefined;
  }
  return live;
}

function headers(real: Real, slot: number): Headers {
  const cookie = real.cookies[slot];
  return new Headers(cookie ? { cookie } : {});
}

function keep(real: Real, slot: number, cookie: SessionCookie | undefined): void {
  if (cookie === undefined) return;
  real.cookies[slot] = cookie.value === "" ? undefined : `${cookie.name}=${cookie.value}`;
}

function expectData(session: { keys(): string[]; get(key: string): unknown }, live?: Live) {
  const actual = Object.fromEntries(session.keys().map((key) => [key, session.get(key)]));
  assert.deepEqual(actual, Object.fromEntries(live?.data ?? []));
}

const slot = fc.integer({ min: 0, max: 2 });
const key = fc.constantFrom("a", "b", "c");

const commands = [
  fc.tuple(slot, key, fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined })).map((
    [s, k, v],
  ): fc.AsyncCommand<Model, Real> => ({
    check: () => true,
    async run(model, real) {
      const live = alive(model, s);
      const session = await real.manager.open(headers(real, s), { owner: {} });
      assert.equal(session.isNew, !live);
      expectData(session, live);
      if (v !== undefined) session.set(k, v);
      keep(real, s, session.cookie());
      await session.close();
      if (live) {
        live.last = model.now;
        if (v !== undefined) live.data.set(k, v);
      } else if (v !== undefined) {
        model.slots[s]!.live = { data: new Map([[k, v]]), created: model.now, last: model.now };
      }
    },
    toString: () => `visit(${s}, ${k}, ${v})`,
  })),
  slot.map((s): fc.AsyncCommand<Model, Real> => ({
    check: () => true,
    async run(model, real) {
      const live = alive(model, s);
      const session = await real.manager.open(headers(real, s), { owner: {} });
      expectData(session, live);
      await session.invalidate();
      keep(real, s, session.cookie());
      await session.close();
      model.slots[s]!.live = undefined;
      const again = await real.manager.open(headers(real, s), { owner: {} });
      assert.equal(again.isNew, true);
      await again.close();
    },
    toString: () => `destroy(${s})`,
  })),
  slot.map((s): fc.AsyncCommand<Model, Real> => ({
    check: () => true,
    async run(model, real) {
      const live = alive(model, s);
      const old = real.cookies[s];
      const session = await real.manager.open(headers(real, s), { owner: {} });
      const oldId = session.id;
      await session.regenerate();
      assert.notEqual(session.id, oldId);
      keep(real, s, session.cookie());
      await session.close();
      model.slots[s]!.live = {
        data: new Map(live?.data ?? []),
        created: model.now,
        last: model.now,
      };
      if (old) {
        const stale = await real.manager.open(new Headers({ cookie: old }), { owner: {} });
        assert.equal(stale.isNew, true);
        assert.deepEqual(stale.keys(), []);
        await stale.close();
      }
    },
    toString: () => `regenerate(${s})`,
  })),
  fc.integer({ min: 0, max: 1500 }).map((ms): fc.AsyncCommand<Model, Real> => ({
    check: () => true,
    run(model, real) {
      model.now += ms;
      real.clock.tick(ms);
      return Promise.resolve();
    },
    toString: () => `tick(${ms})`,
  })),
];

async function runModel(createStore: (clock: FakeClock) => SessionStore, numRuns: number) {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
      const clock = new FakeClock();
      const manager = new SessionManager({
        store: createStore(clock),
        secrets: [SECRET],
        clock,
        idleTimeout: IDLE,
        absoluteLifetime: ABSOLUTE,
      });
      try {
        await fc.asyncModelRun(() => ({
          model: { now: clock.now(), slots: [{}, {}, {}] },
          real: { clock, manager, cookies: [undefined, undefined, undefined] },
        }), cmds);
      } finally {
        await manager.close();
      }
    }),
    { numRuns },
  );
}

Deno.test("SessionManager matches a Map model for random sequences", async (t) => {
  await t.step("MemoryStore", () => runModel((clock) => new MemoryStore({ clock }), 60));
  await t.step("FileStore", async () => {
    const dir = await Deno.makeTempDir({ prefix: "pubkit-model-" });
    try {
      let n = 0;
      await runModel(
        (clock) => new FileStore({ dir: `${dir}/${n++}`, clock, fsync: false, sweepInterval: 0 }),
        30,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
  await t.step({
    name: "RedisStore (needs REDIS_URL)",
    ignore: !redisUrl,
    fn: () =>
      runModel(
        (clock) =>
          new RedisStore({
            url: redisUrl,
            prefix: `pubkit-test:model:${crypto.randomUUID()}:`,
            clock,
            log() {},
          }),
        20,
      ),
  });
});
