// The counter race across two processes with sessions in a Redis Cluster (three primaries, a
// replica each, started here on free ports), while one primary is failed over to its replica
// (`CLUSTER FAILOVER`): every answer is a 2xx or a 503 with Retry-After, no answer carries
// another session's data, and each session's final count equals its number of 2xx answers (a
// stale holder's save would lose an increment: the fencing token refuses it; a commit whose reply
// was lost is tried again and recognised, not answered 503 after it went in).
import assert from "node:assert/strict";
import { redisCli, startRedis, until } from "../../session/testdata/redis_servers.ts";
import { type Child, getJson, RUN, start } from "./_children.ts";

const redisUrl = Deno.env.get("REDIS_URL");
const SESSIONS = 4;
const PER_SESSION = 150;
const CONCURRENCY = 24;
/** The whole test, cluster start-up included, must end well within this. */
const BOUND = 120_000;

interface Node {
  id: string;
  port: number;
  master: boolean;
  /** The primary's id, for a replica. */
  of: string;
  slots: [number, number][];
}

async function nodes(port: number): Promise<Node[]> {
  return (await redisCli(port, "cluster", "nodes")).trim().split("\n").map((line) => {
    const [id, address, flags, of, , , , , ...slots] = line.trim().split(" ");
    return {
      id: id!,
      port: Number(address!.split("@")[0]!.split(":")[1]),
      master: flags!.includes("master"),
      of: of!,
      slots: slots.filter((slot) => /^\d/.test(slot)).map((slot) => {
        const [from, to = from] = slot.split("-");
        return [Number(from), Number(to)] as [number, number];
      }),
    };
  });
}

Deno.test({
  name:
    "counter race over 2 processes on a Redis Cluster with a primary failed over: no acknowledged update lost, no mixed data, 503 + Retry-After meanwhile (needs REDIS_URL)",
  ignore: !redisUrl,
  async fn() {
    const started = performance.now();
    const bound = setTimeout(() => {
      throw new Error(`the cluster race took over ${BOUND} ms`);
    }, BOUND);
    await using cluster = await startRedis(6, true);
    const prefix = `pubkit:test:cluster:${crypto.randomUUID()}:`;
    const env = { COUNTER_REDIS_CLUSTER: cluster.urls.join(","), COUNTER_PREFIX: prefix };
    const children: Child[] = [];
    try {
      children.push(
        ...await Promise.all([
          start(RUN, { ...env, PORT: "0" }),
          start(RUN, { ...env, PORT: "0" }),
        ]),
      );
      const bases = children.map((child) => child.url);
      const cookies: string[] = [];
      for (let k = 0; k < SESSIONS; k++) {
        const { status, setCookie } = await getJson(new URL(`/start?tag=s${k}`, bases[k % 2]));
        assert.equal(status, 200);
        cookies.push(setCookie.find((line) => line.startsWith("sid="))!.split(";")[0]!);
      }

      // The primary that holds session 0's slot, and its replica.
      const id = cookies[0]!.slice("sid=".length).split(".")[0]!;
      const slot = Number(
        (await redisCli(cluster.ports[0]!, "cluster", "keyslot", `${prefix}{${id}}:lock`)).trim(),
      );
      const all = await nodes(cluster.ports[0]!);
      const primary = all.find((node) =>
        node.master && node.slots.some(([from, to]) => from <= slot && slot <= to)
      )!;
      const replica = all.find((node) => !node.master && node.of === primary.id)!;
      assert.ok(primary && replica, "session 0's slot has a primary with a replica");

      const total = SESSIONS * PER_SESSION;
      const answers: { k: number; status: number; tag?: string; retryAfter: string | null }[] = [];
      let next = 0;
      let failover: Promise<number> | undefined;
      const fail = async () => {
        const at = performance.now();
        await redisCli(replica.port, "cluster", "failover");
        await until(
          "see the replica promoted",
          async () => (await redisCli(replica.port, "role")).startsWith("master"),
          30_000,
        );
        return performance.now() - at;
      };
      const client = async () => {
        while (next < total) {
          const i = next++;
          if (i === Math.floor(total / 4)) failover = fail();
          const k = i % SESSIONS;
          const answer = await getJson(new URL("/inc", bases[i % 2]), cookies[k]);
          answers.push({
            k,
            status: answer.status,
            tag: answer.status === 200 ? JSON.parse(answer.text).tag : undefined,
            retryAfter: answer.retryAfter,
          });
        }
      };
      const raceStart = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, client));
      const raceMs = performance.now() - raceStart;
      const window = await failover!;

      const statuses: Record<number, number> = {};
      for (const answer of answers) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      const finals: number[] = [];
      const oks: number[] = [];
      for (let k = 0; k < SESSIONS; k++) {
        const read = await getJson(new URL("/read?lock=0", bases[0]), cookies[k]);
        finals.push(JSON.parse(read.text).n);
        oks.push(answers.filter((answer) => answer.k === k && answer.status === 200).length);
      }
      const roles = await nodes(replica.port);
      console.log(
        `  Redis Cluster race: ${answers.length} requests over ${SESSIONS} sessions, statuses ` +
          `${JSON.stringify(statuses)}, final counts ${JSON.stringify(finals)} = 2xx per ` +
          `session ${JSON.stringify(oks)}, failover of the primary on port ${primary.port} ` +
          `done in ${window.toFixed(0)} ms, race ${raceMs.toFixed(0)} ms, whole test ${
            (performance.now() - started).toFixed(0)
          } ms`,
      );
      assert.equal(answers.length, total);
      for (const answer of answers) {
        assert.ok(answer.status === 200 || answer.status === 503, `status ${answer.status}`);
        if (answer.status === 503) assert.ok(answer.retryAfter, "a 503 says when to retry");
        if (answer.status === 200) assert.equal(answer.tag, `s${answer.k}`, "its own session");
      }
      // Each final count equals its 2xx answers: no acknowledged update is lost, and no update
      // answered 503 went in. A commit whose reply is lost while the slot moves is tried again,
      // and finds its own token among the session's recent commits instead of being refused.
      for (let k = 0; k < SESSIONS; k++) {
        const unavailable = answers.filter((a) => a.k === k && a.status === 503).length;
        assert.equal(
          finals[k],
          oks[k],
          `session ${k}: final ${finals[k]}, ${oks[k]} answers of 200, ${unavailable} of 503`,
        );
      }
      assert.ok(oks.every((ok) => ok > 0));
      assert.ok(roles.find((node) => node.id === replica.id)?.master, "the replica took over");
    } finally {
      const codes = await Promise.all(children.map((child) => child.stop()));
      clearTimeout(bound);
      for (const [i, code] of codes.entries()) {
        assert.equal(code, 0, `child ${i} stopped cleanly:\n${children[i]!.output.join("\n")}`);
      }
    }
  },
});
